//! Names and the other plain text fields: their length limits, in one table.
//!
//! Limits count Unicode scalar values, so "Zoë" is 3 and "😀" is 1 in the browser and on
//! the server alike.

/// `first_name`/`given_name`, `last_name`/`family_name` (Square).
pub(crate) const NAME_MAX: usize = 300;
/// `company_name` (Square).
pub(crate) const COMPANY_NAME_MAX: usize = 500;
/// `nickname` (Square).
pub(crate) const NICKNAME_MAX: usize = 100;
/// `reference_id` (Square).
pub(crate) const REFERENCE_ID_MAX: usize = 100;
/// `note`: Square documents no limit; 4096 is ours.
pub(crate) const NOTE_MAX: usize = 4096;
/// `idempotency_key`: Square documents none for this call; 192 is its largest elsewhere.
pub(crate) const IDEMPOTENCY_KEY_MAX: usize = 192;
/// `tax_ids.eu_vat` (Square).
pub(crate) const EU_VAT_MAX: usize = 20;
/// Address lines, locality, sublocality and district fields (ours).
pub(crate) const ADDRESS_LINE_MAX: usize = 500;
/// `address.postal_code` (ours).
pub(crate) const POSTAL_CODE_MAX: usize = 20;
/// `external_references[i].source` (ours).
pub(crate) const SOURCE_MAX: usize = 50;
/// `external_references[i].external_id` (ours).
pub(crate) const EXTERNAL_ID_MAX: usize = 255;
