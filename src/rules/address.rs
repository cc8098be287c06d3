//! Square's `address` and `tax_ids` objects: line lengths, the country enum, the VAT id.

use serde_json::Value;

use crate::model::{Address, TaxIds};
use crate::report::{params, At, Code, Sink};
use crate::rules::countries::COUNTRY_CODES;
use crate::rules::names::{ADDRESS_LINE_MAX, EU_VAT_MAX, POSTAL_CODE_MAX};
use crate::rules::text::{self, Controls};

/// Fields of Square's `Address`, in its order; `None` = no length limit.
const ADDRESS_FIELDS: [(&str, Option<usize>); 12] = [
    ("address_line_1", Some(ADDRESS_LINE_MAX)),
    ("address_line_2", Some(ADDRESS_LINE_MAX)),
    ("address_line_3", Some(ADDRESS_LINE_MAX)),
    ("locality", Some(ADDRESS_LINE_MAX)),
    ("sublocality", Some(ADDRESS_LINE_MAX)),
    ("sublocality_2", Some(ADDRESS_LINE_MAX)),
    ("sublocality_3", Some(ADDRESS_LINE_MAX)),
    ("administrative_district_level_1", Some(ADDRESS_LINE_MAX)),
    ("administrative_district_level_2", Some(ADDRESS_LINE_MAX)),
    ("administrative_district_level_3", Some(ADDRESS_LINE_MAX)),
    ("postal_code", Some(POSTAL_CODE_MAX)),
    ("country", None),
];

/// Fields Square accepts in an address and ignores: neither checked, nor stored, nor returned.
const IGNORED_ADDRESS_FIELDS: [&str; 2] = ["first_name", "last_name"];

/// Where Square takes `tax_ids` (an EU VAT id): sellers in the EU's member states and the
/// United Kingdom. Elsewhere the field is ignored: not checked, not stored.
const VAT_REGIONS: [&str; 28] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Whether a store of `region` (its country) takes Square's `tax_ids`.
pub(crate) fn takes_tax_ids(region: &str) -> bool {
    VAT_REGIONS.contains(&region)
}

/// Whether `code` is one of Square's `Country` values (upper case, as Square spells them).
pub(crate) fn is_country(code: &str) -> bool {
    COUNTRY_CODES.binary_search(&code).is_ok()
}

/// Reports a key of `object` that the shape does not have, in the object's own order.
pub(crate) fn unknown_fields(object: &serde_json::Map<String, Value>, known: &[&str], at: &At<'_>, sink: &mut Sink) {
    for key in object.keys().filter(|k| !known.contains(&k.as_str())) {
        sink.push_bare(&at.key(key), Code::UnknownField);
    }
}

/// Checks Square's `address`; returns its normalized form when it is an object.
pub(crate) fn check_address(value: Option<&Value>, at: &At<'_>, sink: &mut Sink) -> Option<Address> {
    let object = match value? {
        Value::Null => return None,
        Value::Object(object) => object,
        _ => {
            sink.push_bare(at, Code::ExpectedObject);
            return None;
        }
    };
    let mut address = Address::default();
    for (name, max) in ADDRESS_FIELDS {
        let path = at.key(name);
        let given = text::read(object.get(name), &path, max, Controls::Refused, sink);
        if name == "country" && given.ok().is_some_and(|code| !is_country(code)) {
            sink.push_bare(&path, Code::InvalidCountry);
        }
        *address.field_mut(name) = given.given().map(str::to_owned);
    }
    let known: Vec<&str> = ADDRESS_FIELDS.iter().map(|(name, _)| *name).chain(IGNORED_ADDRESS_FIELDS).collect();
    unknown_fields(object, &known, at, sink);
    Some(address)
}

/// Checks Square's `tax_ids`; returns its normalized form when it is an object.
pub(crate) fn check_tax_ids(value: Option<&Value>, at: &At<'_>, sink: &mut Sink) -> Option<TaxIds> {
    let object = match value? {
        Value::Null => return None,
        Value::Object(object) => object,
        _ => {
            sink.push_bare(at, Code::ExpectedObject);
            return None;
        }
    };
    let path = at.key("eu_vat");
    let given = text::read(object.get("eu_vat"), &path, Some(EU_VAT_MAX), Controls::Refused, sink);
    if let Some(vat) = given.ok() {
        if !vat.bytes().all(|b| b.is_ascii_alphanumeric()) {
            sink.push(&path, Code::InvalidValue, params([("reason", "letters_digits".into())]));
        }
    }
    unknown_fields(object, &["eu_vat"], at, sink);
    Some(TaxIds { eu_vat: given.given().map(str::to_owned) })
}
