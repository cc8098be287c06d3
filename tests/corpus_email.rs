//! The email corpus (`data/email-corpus.json`: the 809 distinct addresses of isemail,
//! validator.js, python-email-validator, JSON Schema, Chromium, WebKit and wpt, copied from
//! `../shared/corpora/email/`; the 4 holding a lone surrogate are not Rust strings and were
//! left out) against our email rule.
//!
//! Two comparisons, each asserting that every disagreement falls in a named deliberate
//! difference of RULES.md, each difference a precise predicate:
//! - the browser: `whatwg_after_html_sanitize`, what `<input type=email>` says;
//! - the `validator` crate 0.21 (`ValidateEmail`), run live here.

use std::collections::BTreeMap;
use std::fmt;

use customer_validation::{validate_field, validate_store, Options, Shape};
use serde::Deserialize;
use serde_json::json;
use validator::ValidateEmail;

const CORPUS: &str = include_str!("data/email-corpus.json");

#[derive(Deserialize)]
struct Corpus {
    skipped_lone_surrogates: usize,
    rows: Vec<Row>,
}

#[derive(Deserialize)]
struct Row {
    address: String,
    /// `None`: empty after the browser's value sanitization, which is no type mismatch.
    browser: Option<bool>,
    validator: bool,
    sources: Vec<String>,
}

fn corpus() -> Corpus {
    let corpus: Corpus = serde_json::from_str(CORPUS).expect("tests/data/email-corpus.json parses");
    assert_eq!(corpus.rows.len() + corpus.skipped_lone_surrogates, 809);
    corpus
}

fn options() -> Options {
    Options::new("US", "2026-11-23".parse().expect("a date")).expect("US")
}

/// Our verdict on one address.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Ours {
    /// Blank after trimming: no email given, so no violation from this field.
    Absent,
    /// Accepted, with the normalized address of the request's `value`.
    Valid(String),
    /// Refused: the code, and `params.reason` when there is one.
    Invalid(&'static str, String),
}

impl Ours {
    fn is(&self, code: &str, reason: &str) -> bool {
        matches!(self, Ours::Invalid(c, r) if *c == code && r == reason)
    }
}

impl fmt::Display for Ours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ours::Absent => f.write_str("absent"),
            Ours::Valid(normalized) => write!(f, "valid as {normalized:?}"),
            Ours::Invalid(code, reason) => write!(f, "{code} ({reason})"),
        }
    }
}

fn ours(address: &str, options: &Options) -> Ours {
    let errors = validate_field(Shape::Store, "customer.email", &json!(address), options);
    match errors.as_slice() {
        [] if address.trim().is_empty() => Ours::Absent,
        [] => {
            let report = validate_store(&json!({ "customer": { "first_name": "Ada", "email": address } }), options);
            assert!(report.valid, "{address:?}: the field passes alone but not in a request: {:?}", report.errors);
            Ours::Valid(report.value["customer"]["email"].as_str().expect("a normalized email").to_owned())
        }
        [one, ..] => {
            let reason = one.params.get("reason").and_then(|r| r.as_str()).unwrap_or("");
            Ours::Invalid(one.code.as_str(), reason.to_owned())
        }
    }
}

/// The browser's value sanitization for `<input type=email>`: strip CR and LF anywhere,
/// then leading and trailing ASCII white space (tab, LF, FF, CR, space).
fn sanitize(address: &str) -> String {
    let stripped: String = address.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    stripped.trim_matches(|c| matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ')).to_owned()
}

/// The WHATWG "valid e-mail address" regex, written out; checked against the corpus's
/// browser column on every row before it explains anything.
fn whatwg(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else { return false };
    let local_ok =
        !local.is_empty() && local.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-.".contains(&b));
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        (1..=63).contains(&b.len())
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    };
    local_ok && domain.split('.').all(label_ok)
}

fn split(address: &str) -> (&str, &str) {
    address.split_once('@').unwrap_or((address, ""))
}

fn dotted_badly(local: &str) -> bool {
    local.starts_with('.') || local.ends_with('.') || local.contains("..")
}

/// Where RULES.md deliberately differs from the browser. RULES.md's other additions (no IP
/// literal, no symbol in a Unicode domain) refuse what the browser refuses as well: its
/// grammar has no brackets and no non-ASCII, so they never show up as a difference here.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum BrowserDifference {
    /// "the local part is an RFC 5322 dot-atom": `.wooly@`, `wo..oly@`, `wooly.@`.
    DotAtomLocalPart,
    /// "the domain has at least two labels": `user@localhost`.
    SingleLabelDomain,
    /// "its last label is not all digits": `someone@127.0.0.1`.
    NumericLastLabel,
    /// "Control characters … are rejected": the browser deletes CR and LF inside the value
    /// before it checks; we refuse them (`invalid_characters`).
    LineBreakInside,
    /// "trimmed of leading/trailing Unicode white space": the browser strips ASCII white
    /// space only, so NBSP, U+3000 or a vertical tab at an end makes it refuse (or, alone,
    /// be a value); ours is the verdict on the trimmed address, which the browser accepts.
    UnicodeWhiteSpaceTrimmed,
    /// "the domain may be internationalized": the browser's grammar is ASCII-only, ours
    /// checks the IDNA (UTS #46) ASCII form, which the browser's grammar accepts.
    IdnDomain,
    /// "≤ 254 chars in all, local part ≤ 64" (`too_long`); the browser has no limit.
    LengthLimits,
    /// IDNA refuses a punycode label (`xn--` that does not decode) the ASCII grammar takes.
    UndecodablePunycode,
}

impl BrowserDifference {
    const ALL: [BrowserDifference; 8] = [
        BrowserDifference::DotAtomLocalPart,
        BrowserDifference::SingleLabelDomain,
        BrowserDifference::NumericLastLabel,
        BrowserDifference::LineBreakInside,
        BrowserDifference::UnicodeWhiteSpaceTrimmed,
        BrowserDifference::IdnDomain,
        BrowserDifference::LengthLimits,
        BrowserDifference::UndecodablePunycode,
    ];
}

fn browser_difference(address: &str, browser: Option<bool>, ours: &Ours) -> Option<BrowserDifference> {
    use BrowserDifference::*;
    let s = sanitize(address);
    let (local, domain) = split(&s);
    let browser_accepts = browser == Some(true);
    let refused = matches!(ours, Ours::Invalid(..));
    if browser_accepts && refused {
        if ours.is("invalid_email", "dots") && dotted_badly(local) {
            return Some(DotAtomLocalPart);
        }
        if ours.is("invalid_email", "single_label_domain") && !domain.contains('.') {
            return Some(SingleLabelDomain);
        }
        if ours.is("invalid_email", "numeric_domain")
            && domain.rsplit('.').next().is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
        {
            return Some(NumericLastLabel);
        }
        if ours.is("invalid_characters", "") && address.trim().contains(['\r', '\n']) && whatwg(&s) {
            return Some(LineBreakInside);
        }
        if matches!(ours, Ours::Invalid("too_long", _)) && (s.chars().count() > 254 || local.chars().count() > 64) {
            return Some(LengthLimits);
        }
        if ours.is("invalid_email", "idna") && undecodable_punycode(domain) {
            return Some(UndecodablePunycode);
        }
    }
    if !browser_accepts && !refused {
        let trimmed = s.trim();
        if trimmed != s {
            let same = match ours {
                Ours::Absent => trimmed.is_empty(),
                Ours::Valid(_) => whatwg(trimmed) || idn_ok(trimmed),
                Ours::Invalid(..) => false,
            };
            if same {
                return Some(UnicodeWhiteSpaceTrimmed);
            }
        }
        if let Ours::Valid(_) = ours {
            if !domain.is_ascii() && local.is_ascii() && idn_ok(&s) {
                return Some(IdnDomain);
            }
        }
    }
    None
}

/// An ASCII domain with an `xn--` label that IDNA cannot decode.
fn undecodable_punycode(domain: &str) -> bool {
    domain.is_ascii()
        && domain.split('.').any(|l| l.len() >= 4 && l[..4].eq_ignore_ascii_case("xn--"))
        && idna::domain_to_unicode(domain).1.is_err()
}

/// The address with its domain in IDNA ASCII form passes the browser's grammar.
fn idn_ok(address: &str) -> bool {
    let (local, domain) = split(address);
    idna::domain_to_ascii(domain).is_ok_and(|ascii| whatwg(&format!("{local}@{ascii}")))
}

fn agrees_with_browser(browser: Option<bool>, ours: &Ours) -> bool {
    matches!((browser, ours), (None, Ours::Absent) | (Some(true), Ours::Valid(_)) | (Some(false), Ours::Invalid(..)))
}

#[test]
fn corpus_email_agrees_with_the_browser_except_where_rules_md_differs() {
    let corpus = corpus();
    let options = options();
    let mut differences: BTreeMap<BrowserDifference, Vec<&str>> = BTreeMap::new();
    let (mut agree, mut unexplained) = (0, Vec::new());
    for row in &corpus.rows {
        // The written-out grammar is the browser's, on every row.
        let sanitized = sanitize(&row.address);
        let oracle = (!sanitized.is_empty()).then(|| whatwg(&sanitized));
        assert_eq!(oracle, row.browser, "the WHATWG oracle misreads {:?}", row.address);

        let ours = ours(&row.address, &options);
        if agrees_with_browser(row.browser, &ours) {
            agree += 1;
            continue;
        }
        match browser_difference(&row.address, row.browser, &ours) {
            Some(d) => differences.entry(d).or_default().push(&row.address),
            None => unexplained.push(format!(
                "{:?}: browser {:?}, ours {ours} (from {})",
                row.address,
                row.browser,
                row.sources.join(", ")
            )),
        }
    }
    println!("email corpus vs the browser: {agree}/{} agree; deliberate differences:", corpus.rows.len());
    for d in BrowserDifference::ALL {
        let addresses = differences.get(&d).map_or(&[][..], Vec::as_slice);
        println!("  {d:?}: {} {addresses:?}", addresses.len());
    }
    assert!(unexplained.is_empty(), "{} unexplained disagreements:\n{}", unexplained.len(), unexplained.join("\n"));
    // The corpus carries RULES.md's own examples of each difference.
    for d in [BrowserDifference::DotAtomLocalPart, BrowserDifference::SingleLabelDomain, BrowserDifference::IdnDomain] {
        assert!(differences.contains_key(&d), "no row shows {d:?}");
    }
}

/// Where RULES.md deliberately differs from the `validator` crate.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum ValidatorDifference {
    /// Blank after trimming is an absent email for us (email-or-phone decides), an invalid
    /// one for `validator`.
    BlankIsAbsent,
    /// We trim Unicode white space first; `validator` checks the raw string. After trimming
    /// the two agree.
    WhiteSpaceTrimmed,
    /// RFC 5322 dot-atom: `validator`'s local-part class allows any dots.
    DotAtomLocalPart,
    /// Two labels or more: `validator` takes `user@localhost`.
    SingleLabelDomain,
    /// No IP literal: `validator` takes `[…]` domains (its IP check is unanchored).
    IpLiteral,
    /// A last label of digits: `validator` takes `someone@127.0.0.1`.
    NumericLastLabel,
    /// Symbols in the Unicode domain (`domain.com©`): IDNA maps them, `validator` takes them.
    DomainSymbolCharacters,
    /// 254 characters in all (Square's limit): `validator` checks only the parts' lengths.
    TotalLength,
    /// RULES.md's own example: `validator` looks for an IP literal anywhere in the domain
    /// (`test@a[255.255.255.255]`); brackets are no domain characters to the grammar.
    UnanchoredIpLiteral,
    /// IDNA refuses a punycode label that does not decode (`xn--example`); `validator`
    /// checks the ASCII letters only.
    UndecodablePunycode,
}

impl ValidatorDifference {
    const ALL: [ValidatorDifference; 10] = [
        ValidatorDifference::BlankIsAbsent,
        ValidatorDifference::WhiteSpaceTrimmed,
        ValidatorDifference::DotAtomLocalPart,
        ValidatorDifference::SingleLabelDomain,
        ValidatorDifference::IpLiteral,
        ValidatorDifference::NumericLastLabel,
        ValidatorDifference::DomainSymbolCharacters,
        ValidatorDifference::TotalLength,
        ValidatorDifference::UnanchoredIpLiteral,
        ValidatorDifference::UndecodablePunycode,
    ];
}

fn validator_difference(address: &str, theirs: bool, ours: &Ours, options: &Options) -> Option<ValidatorDifference> {
    use ValidatorDifference::*;
    let trimmed = address.trim();
    if trimmed.is_empty() {
        return (ours == &Ours::Absent && !theirs).then_some(BlankIsAbsent);
    }
    if trimmed != address {
        let after_trim = ours_vs_validator(trimmed, options);
        return (!theirs
            && (after_trim.0
                || validator_difference(trimmed, trimmed.validate_email(), &after_trim.1, options).is_some()))
        .then_some(WhiteSpaceTrimmed);
    }
    let (local, domain) = split(address);
    match ours {
        Ours::Invalid(..) if theirs => {
            if ours.is("invalid_email", "dots") && dotted_badly(local) {
                Some(DotAtomLocalPart)
            } else if ours.is("invalid_email", "single_label_domain") && !domain.contains('.') {
                Some(SingleLabelDomain)
            } else if ours.is("invalid_email", "ip_literal") && domain.starts_with('[') {
                Some(IpLiteral)
            } else if ours.is("invalid_email", "numeric_domain") {
                Some(NumericLastLabel)
            } else if ours.is("invalid_email", "domain_characters") && !domain.is_ascii() {
                Some(DomainSymbolCharacters)
            } else if matches!(ours, Ours::Invalid("too_long", _)) && address.chars().count() > 254 {
                Some(TotalLength)
            } else if ours.is("invalid_email", "domain")
                && domain.ends_with(']')
                && domain.find('[').is_some_and(|i| i > 0)
            {
                Some(UnanchoredIpLiteral)
            } else if ours.is("invalid_email", "idna") && undecodable_punycode(domain) {
                Some(UndecodablePunycode)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// `(agree, ours)` on one address.
fn ours_vs_validator(address: &str, options: &Options) -> (bool, Ours) {
    let ours = ours(address, options);
    (matches!(ours, Ours::Valid(_)) == address.validate_email() && ours != Ours::Absent, ours)
}

#[test]
fn corpus_email_differs_from_the_validator_crate_only_by_name() {
    let corpus = corpus();
    let options = options();
    let mut differences: BTreeMap<ValidatorDifference, Vec<&str>> = BTreeMap::new();
    let (mut agree, mut unexplained) = (0, Vec::new());
    for row in &corpus.rows {
        let theirs = row.address.validate_email();
        assert_eq!(theirs, row.validator, "validator 0.21 today differs from the corpus column on {:?}", row.address);
        let (agrees, ours) = ours_vs_validator(&row.address, &options);
        if agrees {
            agree += 1;
            continue;
        }
        match validator_difference(&row.address, theirs, &ours, &options) {
            Some(d) => differences.entry(d).or_default().push(&row.address),
            None => unexplained.push(format!(
                "{:?}: validator {theirs}, ours {ours} (from {})",
                row.address,
                row.sources.join(", ")
            )),
        }
    }
    println!("email corpus vs validator 0.21: {agree}/{} agree; deliberate differences:", corpus.rows.len());
    for d in ValidatorDifference::ALL {
        let addresses = differences.get(&d).map_or(&[][..], Vec::as_slice);
        println!("  {d:?}: {} {addresses:?}", addresses.len());
    }
    assert!(unexplained.is_empty(), "{} unexplained disagreements:\n{}", unexplained.len(), unexplained.join("\n"));
    // RULES.md names this one: `validator`'s unanchored IP-literal check.
    assert!(matches!(ours("test@a[255.255.255.255]", &options), Ours::Invalid("invalid_email", _)));
    assert!("test@a[255.255.255.255]".validate_email());
}

/// `(address, expected)`: `Ok(normalized)` or `Err((code, reason))`.
type Case = (String, Result<&'static str, (&'static str, &'static str)>);

#[test]
fn corpus_email_boundaries() {
    let options = options();
    let local64 = "a".repeat(64);
    let local65 = "a".repeat(65);
    // 64 + 1 + 189 = 254 and 255 characters, domain labels of at most 63.
    let domain189 = format!("{}.{}.{}.com", "b".repeat(63), "c".repeat(63), "d".repeat(57));
    let domain190 = format!("{}.{}.{}.com", "b".repeat(63), "c".repeat(63), "d".repeat(58));
    assert_eq!(domain189.len(), 189);
    let at254 = format!("{local64}@{domain189}");
    let at255 = format!("{local64}@{domain190}");
    assert_eq!((at254.chars().count(), at255.chars().count()), (254, 255));
    // 254 characters, some of them two bytes: characters count, not bytes.
    let idn254 = format!("{local64}@{}.{}.{}.com", "b".repeat(63), "c".repeat(63), "ü".repeat(57));
    assert_eq!(idn254.chars().count(), 254);
    let cases: Vec<Case> = vec![
        (at254.clone(), Ok("")),
        (at255, Err(("too_long", ""))),
        (idn254, Ok("")),
        (format!("{local64}@example.com"), Ok("")),
        (format!("{local65}@example.com"), Err(("too_long", ""))),
        ("amelia@bücher.de".into(), Ok("amelia@bücher.de")),
        ("amelia@BÜCHER.DE".into(), Ok("amelia@bücher.de")),
        ("amelia@xn--bcher-kva.de".into(), Ok("amelia@bücher.de")),
        ("user@ｇｍａｉｌ.com".into(), Ok("user@gmail.com")),
        ("user@ｇｍａｉｌ．ｃｏｍ".into(), Ok("user@gmail.com")),
        ("user@例え.テスト".into(), Ok("user@例え.テスト")),
        ("Amelia.Earhart@EXAMPLE.COM".into(), Ok("Amelia.Earhart@example.com")),
        ("\u{a0}amelia@example.com\u{3000}".into(), Ok("amelia@example.com")),
        ("username@domain.com©".into(), Err(("invalid_email", "domain_characters"))),
        ("username@dom☃ain.com".into(), Err(("invalid_email", "domain_characters"))),
        ("zoë@example.com".into(), Err(("invalid_email", "local_part"))),
        (".wooly@example.com".into(), Err(("invalid_email", "dots"))),
        ("wo..oly@example.com".into(), Err(("invalid_email", "dots"))),
        ("wooly.@example.com".into(), Err(("invalid_email", "dots"))),
        ("user@localhost".into(), Err(("invalid_email", "single_label_domain"))),
        ("a@b".into(), Err(("invalid_email", "single_label_domain"))),
        ("user@[10.0.0.1]".into(), Err(("invalid_email", "ip_literal"))),
        ("test@a[255.255.255.255]".into(), Err(("invalid_email", "domain"))),
        ("someone@127.0.0.1".into(), Err(("invalid_email", "numeric_domain"))),
        ("a@b@example.com".into(), Err(("invalid_email", "at_sign"))),
        ("example.com".into(), Err(("invalid_email", "at_sign"))),
        ("a@-example.com".into(), Err(("invalid_email", "domain"))),
        ("a@example-.com".into(), Err(("invalid_email", "domain"))),
        ("a@example..com".into(), Err(("invalid_email", "domain"))),
        ("a@example.com.".into(), Err(("invalid_email", "domain"))),
        (format!("a@{}.com", "b".repeat(63)), Ok("")),
        (format!("a@{}.com", "b".repeat(64)), Err(("invalid_email", "domain"))),
        ("a@exa/mple.cöm".into(), Err(("invalid_email", "domain"))),
        ("a@xn--zz.com".into(), Err(("invalid_email", "idna"))),
        ("a\r\nb@example.com".into(), Err(("invalid_characters", ""))),
    ];
    for (address, expected) in cases {
        let got = ours(&address, &options);
        match expected {
            Ok("") => assert!(matches!(got, Ours::Valid(ref n) if *n == address), "{address:?}: {got}"),
            Ok(normalized) => assert_eq!(got, Ours::Valid(normalized.to_owned()), "{address:?}"),
            Err((code, reason)) => assert!(got.is(code, reason), "{address:?}: expected {code} ({reason}), got {got}"),
        }
    }
    // The local part's limit names its part; the whole address's limit gives the figure.
    let errors = validate_field(Shape::Store, "customer.email", &json!(format!("{local65}@example.com")), &options);
    assert_eq!(errors[0].params.get("part"), Some(&json!("local_part")));
    assert_eq!(errors[0].params.get("max"), Some(&json!(64)));
    let errors = validate_field(Shape::Square, "email_address", &json!(format!("{at254}x")), &options);
    assert_eq!(errors[0].params.get("max"), Some(&json!(254)));
}
