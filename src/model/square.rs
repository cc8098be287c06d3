use serde::{Deserialize, Serialize};

/// Square's `CreateCustomerRequest` (`POST /v2/customers`).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[allow(missing_docs)] // Square's own field names; RULES.md documents each.
pub struct SquareCustomerRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `YYYY-MM-DD`; `0000-MM-DD` when the year is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_ids: Option<TaxIds>,
}

/// Square's `Address`.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[allow(missing_docs)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line_1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line_2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line_3: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sublocality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sublocality_2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sublocality_3: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub administrative_district_level_1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub administrative_district_level_2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub administrative_district_level_3: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 as in Square's `Country` enum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl Address {
    /// The field of that JSON name; the rules walk Square's field list in order.
    pub(crate) fn field_mut(&mut self, name: &str) -> &mut Option<String> {
        match name {
            "address_line_1" => &mut self.address_line_1,
            "address_line_2" => &mut self.address_line_2,
            "address_line_3" => &mut self.address_line_3,
            "locality" => &mut self.locality,
            "sublocality" => &mut self.sublocality,
            "sublocality_2" => &mut self.sublocality_2,
            "sublocality_3" => &mut self.sublocality_3,
            "administrative_district_level_1" => &mut self.administrative_district_level_1,
            "administrative_district_level_2" => &mut self.administrative_district_level_2,
            "administrative_district_level_3" => &mut self.administrative_district_level_3,
            "postal_code" => &mut self.postal_code,
            _ => &mut self.country,
        }
    }
}

/// Square's `CustomerTaxIds`.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct TaxIds {
    /// An EU VAT id: letters and digits, at most 20.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eu_vat: Option<String>,
}
