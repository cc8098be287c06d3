//! What the rules ask of the platform they run on, in one place: the clock, and for email
//! domains the UTS #46 ToASCII step and a Unicode character class. Natively and in the Node
//! build these are Rust (`idna`, `unicode-properties`, the system clock or the host's
//! `Date.now()`); in the browser build (feature `host-idna`) the JS boundary answers them
//! with the browser's own URL parser and RegExp (`crate::wasm::host`), whose tables come
//! free with the page. The rules import from here and never from JavaScript.

#[cfg(all(target_arch = "wasm32", feature = "host-idna"))]
pub(crate) use crate::wasm::host::{domain_to_ascii, is_domain_text};
#[cfg(not(all(target_arch = "wasm32", feature = "host-idna")))]
pub(crate) use rust::{domain_to_ascii, is_domain_text};

/// Seconds since the Unix epoch, now.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn now_unix_seconds() -> i64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Seconds since the Unix epoch, now, from the JavaScript host.
#[cfg(all(target_arch = "wasm32", feature = "wasm"))]
pub(crate) use crate::wasm::host::now_unix_seconds;

/// A bare wasm32 build without the JS host has no clock; the caller must pass `today`.
#[cfg(all(target_arch = "wasm32", not(feature = "wasm")))]
pub(crate) fn now_unix_seconds() -> i64 {
    0
}

#[cfg(not(all(target_arch = "wasm32", feature = "host-idna")))]
mod rust {
    use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

    /// UTS #46 ToASCII with WHATWG URL's settings; `None` when it fails.
    pub(crate) fn domain_to_ascii(domain: &str) -> Option<String> {
        idna::domain_to_ascii(domain).ok()
    }

    /// Letters, marks, decimal digits, `-` and `.`: what a domain a person types is made of.
    pub(crate) fn is_domain_text(domain: &str) -> bool {
        domain.chars().all(|c| {
            c == '-'
                || c == '.'
                || matches!(c.general_category_group(), GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark)
                || c.general_category() == GeneralCategory::DecimalNumber
        })
    }
}
