//! One customer model and its validation rules, run identically in the browser (WASM),
//! in Node and on the server.
//!
//! Input is untyped JSON, so every mistake, a wrong type included, is a violation on its
//! path and never hides the others. The rule book is `RULES.md` of the project's spec,
//! summarized in [`_rules`].
//!
//! ```
//! use customer_validation::{validate_store, Options};
//! use serde_json::json;
//!
//! let options = Options::new("US", "2026-11-23".parse()?)?;
//! let report = validate_store(
//!     &json!({ "customer": { "first_name": "Amelia", "email": "amelia@EXAMPLE.com", "birthday": "2023-02-29" } }),
//!     &options,
//! );
//! assert!(!report.valid);
//! assert_eq!(report.errors[0].path.to_string(), "customer.birthday");
//! assert_eq!(report.errors[0].code.as_str(), "invalid_date");
//! assert_eq!(report.value["customer"]["email"], "amelia@example.com");
//! // The store API's 422 body, keys relative to `customer`:
//! assert_eq!(report.store_body()["errors"]["birthday"][0], "is not a valid date");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// The rules face hostile input in a browser page and a server; no unsafe code is needed.
#![forbid(unsafe_code)]
// This is a library other projects call by name; every public item says what it is.
#![deny(missing_docs)]

pub mod messages;
pub mod model;
mod options;
mod platform;
mod report;
mod rules;
mod update;
mod validate;

#[cfg(all(feature = "wasm", target_arch = "wasm32"))]
mod wasm;

#[cfg(feature = "server")]
pub mod server;

/// The rule book (`RULES.md`), as the crate implements it.
pub mod _rules {
    // The rule book is Markdown written for people: `[i]` in a field path is not a link.
    #![allow(rustdoc::broken_intra_doc_links)]
    #![doc = include_str!("../docs/RULES.md")]

    /// What the crate does where the rule book is silent.
    pub mod choices {
        #![doc = include_str!("../docs/CHOICES.md")]
    }
}

pub use model::parse_store_form;
pub use options::{Date, Options, OptionsError};
pub use report::{
    square_code, square_error_body, store_error_body, store_error_body_worded, Code, Params, Path, Report, Segment,
    Violation,
};
pub use update::{validate_square_update, validate_store_update};
pub use validate::{validate_field, validate_square, validate_store, validate_store_form, Shape};

/// Every region the phone rules know, as `(ISO 3166-1 alpha-2 code, calling code)`, by
/// code: what a country selector offers, without probing each code.
///
/// ```
/// let regions = customer_validation::supported_regions();
/// assert!(regions.contains(&("GB".to_owned(), 44)));
/// assert!(regions.windows(2).all(|w| w[0].0 < w[1].0));
/// ```
pub fn supported_regions() -> Vec<(String, u32)> {
    let mut regions: Vec<(String, u32)> = rules::phone::supported_regions()
        .filter_map(|(region, code)| Some((region, u32::try_from(code).ok()?)))
        .collect();
    regions.sort();
    regions
}

// The README's Rust example runs as a doc test, so it can't drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
