//! first_name↔given_name, last_name↔family_name, email↔email_address, phone↔phone_number,
//! birthday↔birthday. Fields one shape has and the other lacks are dropped.

use serde_json::{Map, Value};

use super::fields::STORE_CUSTOMER;
use super::{SquareCustomerRequest, StoreRequest};

/// The fields the two shapes share, as (store name, Square name), in the store
/// customer's order (the field table's counterparts).
fn shared_fields() -> impl Iterator<Item = (&'static str, &'static str)> {
    STORE_CUSTOMER.iter().filter_map(|f| Some((f.name, f.counterpart?)))
}

/// The Square request for a store request's customer.
///
/// ```
/// use customer_validation::model::{to_square, StoreCustomer, StoreRequest};
/// let store = StoreRequest {
///     customer: StoreCustomer { first_name: Some("Amelia".into()), email: Some("amelia@example.com".into()), ..Default::default() },
///     ..Default::default()
/// };
/// assert_eq!(to_square(&store).given_name.as_deref(), Some("Amelia"));
/// ```
pub fn to_square(store: &StoreRequest) -> SquareCustomerRequest {
    through_json(store, to_square_value)
}

/// The store request for a Square request (no card, no links).
pub fn from_square(square: &SquareCustomerRequest) -> StoreRequest {
    through_json(square, from_square_value)
}

/// The typed mapping is the JSON one: the WASM builds map JSON values and so never carry
/// typed deserializers for these shapes (13 KB gz of the browser build).
fn through_json<From: serde::Serialize, To: serde::de::DeserializeOwned + Default>(
    from: &From,
    map: fn(&Value) -> Value,
) -> To {
    // Neither step can fail: the shapes are ours, every field a string or absent.
    serde_json::to_value(from).and_then(|value| serde_json::from_value(map(&value))).unwrap_or_default()
}

/// [`to_square`] on a store request as JSON.
pub(crate) fn to_square_value(store: &Value) -> Value {
    let customer = store.get("customer");
    let square: Map<String, Value> =
        shared_fields().filter_map(|(from, to)| Some((to.to_owned(), customer?.get(from)?.clone()))).collect();
    Value::Object(square)
}

/// [`from_square`] on a Square request as JSON.
pub(crate) fn from_square_value(square: &Value) -> Value {
    let customer: Map<String, Value> =
        shared_fields().filter_map(|(to, from)| Some((to.to_owned(), square.get(from)?.clone()))).collect();
    serde_json::json!({ "customer": customer })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StoreCustomer;

    #[test]
    fn shared_fields_cross_over_and_the_rest_is_dropped() {
        let store: StoreRequest = serde_json::from_value(serde_json::json!({
            "customer": {
                "first_name": "Amelia", "last_name": "Ng", "email": "amelia@example.com",
                "phone": "+12125554240", "birthday": "0000-09-21",
                "metadata": { "tier": "gold" },
                "external_references": [{ "source": "my_pos", "external_id": "7" }]
            },
            "card_id": 12,
            "send_card_links": true
        }))
        .expect("a store request");
        let square = to_square(&store);
        assert_eq!(
            serde_json::to_value(&square).expect("serializes"),
            serde_json::json!({
                "given_name": "Amelia", "family_name": "Ng", "email_address": "amelia@example.com",
                "phone_number": "+12125554240", "birthday": "0000-09-21"
            })
        );
        let back = from_square(&square);
        let shared = StoreCustomer { metadata: None, external_references: None, ..store.customer.clone() };
        assert_eq!(back, StoreRequest { customer: shared, card_id: None, send_card_links: None });
        assert_eq!(from_square(&SquareCustomerRequest::default()), StoreRequest::default());
    }
}
