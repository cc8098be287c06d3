//! Each shape's fields, listed once: the name, the rule that judges it, its limit and the
//! other shape's name for it. Create and update validation walk these tables in order (so
//! the order is the order of errors and of the normalized value), the mapping between the
//! shapes reads the counterparts, and a test holds the model's structs to them. Adding a
//! field is a row here and its member in the struct.

use crate::rules::birthday::Formats;
use crate::rules::names::{COMPANY_NAME_MAX, IDEMPOTENCY_KEY_MAX, NAME_MAX, NICKNAME_MAX, NOTE_MAX, REFERENCE_ID_MAX};

/// Which rule judges a field (`src/rules/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rule {
    /// One line of text that can't be left out or removed (`required` when blank).
    RequiredLine,
    /// One line of text: no control characters.
    Line,
    /// Text that may hold line breaks and tabs.
    MultiLine,
    /// An email address.
    Email,
    /// A phone number, read in the default region, normalized to E.164.
    Phone,
    /// A birthday in these spellings, not in the future.
    Birthday(Formats),
    /// Free-form JSON within the size and depth limits.
    Metadata,
    /// The store API's links to other systems.
    ExternalReferences,
    /// Square's address object.
    Address,
    /// Square's tax ids: judged only for stores where Square takes them, else ignored.
    TaxIds,
}

/// One field of a shape.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field {
    /// Its name in the JSON request.
    pub name: &'static str,
    /// What judges it.
    pub rule: Rule,
    /// Its length limit in characters, for text.
    pub max: Option<usize>,
    /// The same data's name in the other shape, if it has it.
    pub counterpart: Option<&'static str>,
}

impl Field {
    const fn new(name: &'static str, rule: Rule) -> Field {
        Field { name, rule, max: None, counterpart: None }
    }

    const fn max(self, max: usize) -> Field {
        Field { max: Some(max), ..self }
    }

    const fn maps_to(self, counterpart: &'static str) -> Field {
        Field { counterpart: Some(counterpart), ..self }
    }

    /// Whether an update may remove it (with `null` or a blank string).
    pub(crate) fn removable(&self) -> bool {
        self.rule != Rule::RequiredLine
    }
}

/// The store API's `customer` object.
pub(crate) const STORE_CUSTOMER: [Field; 7] = [
    Field::new("first_name", Rule::RequiredLine).max(NAME_MAX).maps_to("given_name"),
    Field::new("last_name", Rule::Line).max(NAME_MAX).maps_to("family_name"),
    Field::new("email", Rule::Email).maps_to("email_address"),
    Field::new("phone", Rule::Phone).maps_to("phone_number"),
    Field::new("birthday", Rule::Birthday(Formats::FullDate)).maps_to("birthday"),
    Field::new("metadata", Rule::Metadata),
    Field::new("external_references", Rule::ExternalReferences),
];

/// Square's `CreateCustomer` body (and, but for `idempotency_key`, `UpdateCustomer`'s).
pub(crate) const SQUARE: [Field; 12] = [
    Field::new("idempotency_key", Rule::Line).max(IDEMPOTENCY_KEY_MAX),
    Field::new("given_name", Rule::Line).max(NAME_MAX).maps_to("first_name"),
    Field::new("family_name", Rule::Line).max(NAME_MAX).maps_to("last_name"),
    Field::new("company_name", Rule::Line).max(COMPANY_NAME_MAX),
    Field::new("nickname", Rule::Line).max(NICKNAME_MAX),
    Field::new("email_address", Rule::Email).maps_to("email"),
    Field::new("address", Rule::Address),
    Field::new("phone_number", Rule::Phone).maps_to("phone"),
    Field::new("reference_id", Rule::Line).max(REFERENCE_ID_MAX),
    Field::new("note", Rule::MultiLine).max(NOTE_MAX),
    Field::new("birthday", Rule::Birthday(Formats::FullDateOrMonthDay)).maps_to("birthday"),
    Field::new("tax_ids", Rule::TaxIds),
];

/// The position of `name` in `fields`.
pub(crate) fn position(fields: &[Field], name: &str) -> Option<usize> {
    fields.iter().position(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, ExternalReference, SquareCustomerRequest, StoreCustomer, TaxIds};

    fn keys(value: serde_json::Value) -> Vec<String> {
        value.as_object().expect("an object").keys().cloned().collect()
    }

    fn names(fields: &[Field]) -> Vec<String> {
        fields.iter().map(|f| f.name.to_owned()).collect()
    }

    /// The structs serialize every field of the table, in its order, and nothing else.
    #[test]
    fn the_model_holds_the_tables_fields_in_order() {
        let text = || Some("x".to_owned());
        let store = StoreCustomer {
            first_name: text(),
            last_name: text(),
            email: text(),
            phone: text(),
            birthday: text(),
            metadata: Some(serde_json::Map::new()),
            external_references: Some(vec![ExternalReference::default()]),
        };
        assert_eq!(keys(serde_json::to_value(store).expect("serializes")), names(&STORE_CUSTOMER));
        let square = SquareCustomerRequest {
            idempotency_key: text(),
            given_name: text(),
            family_name: text(),
            company_name: text(),
            nickname: text(),
            email_address: text(),
            address: Some(Address::default()),
            phone_number: text(),
            reference_id: text(),
            note: text(),
            birthday: text(),
            tax_ids: Some(TaxIds::default()),
        };
        assert_eq!(keys(serde_json::to_value(square).expect("serializes")), names(&SQUARE));
    }

    /// Counterparts point both ways.
    #[test]
    fn counterparts_agree() {
        for field in STORE_CUSTOMER.iter().filter(|f| f.counterpart.is_some()) {
            let other = SQUARE.iter().find(|s| Some(s.name) == field.counterpart).expect("a Square field");
            assert_eq!(other.counterpart, Some(field.name));
        }
        let square_mapped = SQUARE.iter().filter(|f| f.counterpart.is_some()).count();
        assert_eq!(square_mapped, STORE_CUSTOMER.iter().filter(|f| f.counterpart.is_some()).count());
    }
}
