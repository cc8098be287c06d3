//! first_name↔given_name, last_name↔family_name, email↔email_address, phone↔phone_number,
//! birthday↔birthday. Fields one shape has and the other lacks are dropped.

use super::{SquareCustomerRequest, StoreCustomer, StoreRequest};

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
    let c = &store.customer;
    SquareCustomerRequest {
        given_name: c.first_name.clone(),
        family_name: c.last_name.clone(),
        email_address: c.email.clone(),
        phone_number: c.phone.clone(),
        birthday: c.birthday.clone(),
        ..Default::default()
    }
}

/// The store request for a Square request (no card, no links).
pub fn from_square(square: &SquareCustomerRequest) -> StoreRequest {
    StoreRequest {
        customer: StoreCustomer {
            first_name: square.given_name.clone(),
            last_name: square.family_name.clone(),
            email: square.email_address.clone(),
            phone: square.phone_number.clone(),
            birthday: square.birthday.clone(),
            ..Default::default()
        },
        ..Default::default()
    }
}
