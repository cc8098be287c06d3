//! Email addresses: the WHATWG "valid e-mail address" grammar (what `<input type=email>`
//! checks) with an internationalized domain, plus the rules that keep an inbox reachable.
//!
//! Plain Rust over `idna`, no regex engine: the grammar is two character classes and a
//! label check, and `validator`'s regex engine would cost 97 KB gz in the browser build
//! (DEPENDENCIES.md). `validator` stays as a test oracle.
//!
//! The UTS #46 ToASCII step and the letters-and-digits check on the Unicode form are asked
//! of the platform (`crate::platform`): the `idna` crate natively and in the Node build,
//! the browser's own URL parser and RegExp in the browser build, where `idna`'s tables
//! would weigh on every page (WASM-SIZE.md). Only punycode decoding, a few hundred bytes,
//! stays here. A test compares every email corpus row across native, Node and Chromium.
//!
//! ```
//! use customer_validation::{validate_field, Options, Shape};
//! use serde_json::json;
//! let options = Options::new("US", "2026-11-23".parse()?)?;
//! // Browsers accept a leading dot; a mail server does not.
//! let errors = validate_field(Shape::Store, "customer.email", &json!(".wooly@example.com"), &options);
//! assert_eq!(errors[0].code.as_str(), "invalid_email");
//! assert!(validate_field(Shape::Store, "customer.email", &json!("zoe@BÜCHER.example"), &options).is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;

use serde_json::Value;

use crate::platform::{domain_to_ascii, is_domain_text};

use crate::report::{params, At, Code, Sink};
use crate::rules::text::{self, Controls, Text};

/// Square's limit on the whole address, in characters.
pub(crate) const MAX_CHARS: usize = 254;
/// RFC 5321's limit on the part before the `@`.
pub(crate) const MAX_LOCAL_CHARS: usize = 64;

/// Why an address was refused; `as_str` is the `reason` param of `invalid_email`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum EmailError {
    /// No `@`, or more than one.
    At,
    /// A character outside the WHATWG local-part set, or an empty local part.
    LocalPart,
    /// A dot at the start or end of the local part, or two in a row (RFC 5322 dot-atom).
    Dots,
    /// The local part is longer than 64 characters.
    LocalPartTooLong,
    /// A domain label breaks the grammar (characters, hyphens, length, empty label).
    Domain,
    /// A domain of one label (`localhost`): no mail reaches it.
    SingleLabelDomain,
    /// `[10.0.0.1]`.
    IpLiteral,
    /// The last label is all digits (`127.0.0.1`).
    NumericDomain,
    /// IDNA (UTS #46) refused the domain.
    Idna,
    /// The domain's Unicode form holds a symbol (`domain.com©`).
    DomainCharacters,
}

impl EmailError {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EmailError::At => "at_sign",
            EmailError::LocalPart => "local_part",
            EmailError::Dots => "dots",
            EmailError::LocalPartTooLong => "local_part_too_long",
            EmailError::Domain => "domain",
            EmailError::SingleLabelDomain => "single_label_domain",
            EmailError::IpLiteral => "ip_literal",
            EmailError::NumericDomain => "numeric_domain",
            EmailError::Idna => "idna",
            EmailError::DomainCharacters => "domain_characters",
        }
    }
}

/// The WHATWG local-part set: ASCII letters, digits and ``.!#$%&'*+/=?^_`{|}~-``.
fn is_local_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-.".contains(&b)
}

/// The normalized form of `address` (already trimmed): local part as typed, domain
/// lower-cased, an IDN domain in Unicode.
pub(crate) fn parse(address: &str) -> Result<String, EmailError> {
    let (local, domain) = address.split_once('@').ok_or(EmailError::At)?;
    if local.is_empty() || !local.bytes().all(is_local_char) {
        return Err(EmailError::LocalPart);
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(EmailError::Dots);
    }
    // The local part is ASCII here, so bytes are characters.
    if local.len() > MAX_LOCAL_CHARS {
        return Err(EmailError::LocalPartTooLong);
    }
    if domain.contains('@') {
        return Err(EmailError::At);
    }
    if domain.starts_with('[') {
        return Err(EmailError::IpLiteral);
    }
    let unicode_domain = domain_in_unicode(domain)?;
    let mut normalized = String::with_capacity(local.len() + 1 + unicode_domain.len());
    normalized.push_str(local);
    normalized.push('@');
    normalized.push_str(&unicode_domain);
    Ok(normalized)
}

/// Checks the domain and returns its Unicode form (lower case).
fn domain_in_unicode(domain: &str) -> Result<Cow<'_, str>, EmailError> {
    // Plain ASCII without punycode needs no IDNA pass: lower-casing is all UTS #46 does.
    let plain_ascii =
        domain.is_ascii() && !domain.split('.').any(|l| l.len() >= 4 && l[..4].eq_ignore_ascii_case("xn--"));
    if plain_ascii {
        check_ascii_labels(domain)?;
        return Ok(if domain.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(domain.to_ascii_lowercase())
        } else {
            Cow::Borrowed(domain)
        });
    }
    // Refuse what the grammar can never accept before IDNA maps it into something it would
    // (`/`, `\`, `%` and the like mean a URL, not a domain).
    // Unicode spaces too: UTS #46 maps them to an ASCII space the grammar refuses (or
    // disallows them), and refusing them here gives the same reason whichever IDNA runs.
    let never_valid =
        |c: char| c.is_whitespace() || (c.is_ascii() && !(c.is_ascii_alphanumeric() || c == '-' || c == '.'));
    if domain.chars().any(never_valid) {
        return Err(EmailError::Domain);
    }
    let ascii = domain_to_ascii(domain).ok_or(EmailError::Idna)?;
    check_ascii_labels(&ascii)?;
    let unicode = ascii_to_unicode(&ascii).ok_or(EmailError::Idna)?;
    if !is_domain_text(&unicode) {
        return Err(EmailError::DomainCharacters);
    }
    Ok(Cow::Owned(unicode))
}

/// The Unicode form of a ToASCII result: its `xn--` labels punycode-decoded. ToASCII has
/// already validated every label (including `xn--` ones given as input), so decoding is all
/// UTS #46 ToUnicode has left to do; the same code runs natively and in WASM.
pub(crate) fn ascii_to_unicode(ascii: &str) -> Option<String> {
    let mut unicode = String::with_capacity(ascii.len());
    for (i, label) in ascii.split('.').enumerate() {
        if i > 0 {
            unicode.push('.');
        }
        match label.strip_prefix("xn--") {
            Some(encoded) => unicode.push_str(&idna::punycode::decode_to_string(encoded)?),
            None => unicode.push_str(label),
        }
    }
    Some(unicode)
}

/// The WHATWG label grammar on the ASCII form, plus: two labels or more, and a last label
/// that is not all digits.
fn check_ascii_labels(domain: &str) -> Result<(), EmailError> {
    let mut labels = 0;
    let mut last = "";
    for label in domain.split('.') {
        let bytes = label.as_bytes();
        let well_formed = (1..=63).contains(&bytes.len())
            && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
            && bytes[0] != b'-'
            && bytes[bytes.len() - 1] != b'-';
        if !well_formed {
            return Err(EmailError::Domain);
        }
        labels += 1;
        last = label;
    }
    if labels < 2 {
        return Err(EmailError::SingleLabelDomain);
    }
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EmailError::NumericDomain);
    }
    Ok(())
}

/// Checks an optional email field; returns what was given and, when valid, its normalized form.
pub(crate) fn check<'a>(value: Option<&'a Value>, at: &At<'_>, sink: &mut Sink) -> (Text<'a>, Option<String>) {
    let given = text::read(value, at, Some(MAX_CHARS), Controls::Refused, sink);
    let Some(address) = given.ok() else { return (given, None) };
    match parse(address) {
        Ok(normalized) => (given, Some(normalized)),
        Err(EmailError::LocalPartTooLong) => {
            sink.push(at, Code::TooLong, params([("max", MAX_LOCAL_CHARS.into()), ("part", "local_part".into())]));
            (given.fail(), None)
        }
        Err(reason) => {
            sink.push(at, Code::InvalidEmail, params([("reason", reason.as_str().into())]));
            (given.fail(), None)
        }
    }
}
