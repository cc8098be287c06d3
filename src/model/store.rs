use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The store API's `POST /api/v1/accounts/:account_id/customers` body.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct StoreRequest {
    /// The customer to create.
    pub customer: StoreCustomer,
    /// Enrolls the customer in this card of the store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_id: Option<u64>,
    /// Queues wallet-link deliveries by email and SMS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_card_links: Option<bool>,
}

/// The `customer` object of a [`StoreRequest`].
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct StoreCustomer {
    /// Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub last_name: Option<String>,
    /// Domain lower-cased, IDN domains in Unicode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// E.164.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// `YYYY-MM-DD`; year `0000` = unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<String>,
    /// Free-form, kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(type = "{ [key: string]: JsonValue }"))]
    pub metadata: Option<Map<String, Value>>,
    /// Links to the same person in other systems.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_references: Option<Vec<ExternalReference>>,
}

/// One entry of `customer.external_references`.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct ExternalReference {
    /// A lowercase slug naming the other system (`square`, `my_pos`).
    pub source: String,
    /// The customer's id there.
    pub external_id: String,
    /// Free-form, kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(type = "{ [key: string]: JsonValue }"))]
    pub metadata: Option<Map<String, Value>>,
}
