//! The two request shapes (the store API's create-customer and Square's
//! `CreateCustomer`), the mapping between them, and the Rails-style form reader.
//!
//! These are the *normalized* shapes a valid [`Report`](crate::Report)'s `value`
//! deserializes into; input is read as untyped JSON by [`crate::validate_store`] and
//! [`crate::validate_square`], so a wrong type is a violation, not a parse error.

pub(crate) mod fields;
mod form;
mod mapping;
mod square;
mod store;

pub use form::parse_store_form;
pub use mapping::{from_square, to_square};
#[cfg(feature = "wasm")]
pub(crate) use mapping::{from_square_value, to_square_value};
pub use square::{Address, SquareCustomerRequest, TaxIds};
pub use store::{ExternalReference, StoreCustomer, StoreRequest};
