//! Phone numbers: our character rule, then Google's libphonenumber rules (through
//! `rlibphonenumber`), then Square's 9–16 digit rule on the E.164 form.
//!
//! This is the only file that calls the phone engine, so an upgrade or a change of engine
//! touches nothing else.
//!
//! The engine runs over our own copy of its metadata (`phone-metadata.bin`), filtered to
//! what parsing and `is_valid_number` read: no example numbers, no formats. That saves
//! ≈ 20 KB gz in the browser build and the decoding time of the first check (WASM-SIZE.md).
//! It is stored in our own tagless layout (`codec.rs`), not protobuf: the browser's first
//! phone check decodes it.
//! So nothing here may touch `PHONE_NUMBER_UTIL` or the `PhoneNumber` helpers that use it
//! (`format_as`, `is_valid`, `FromStr`): the full built-in blob would come back with them.
//! A test rebuilds the blob from the engine's own and fails if ours is stale.
//!
//! ```
//! use customer_validation::{validate_field, Options, Shape};
//! use serde_json::json;
//! let dk = Options::new("DK", "2026-11-23".parse()?)?;
//! // Ten digits in E.164 (+4532123456): accepted with default region DK.
//! assert!(validate_field(Shape::Store, "customer.phone", &json!("32 12 34 56"), &dk).is_empty());
//! // Letters are refused before the engine sees them.
//! let errors = validate_field(Shape::Store, "customer.phone", &json!("1-800-FLOWERS"), &dk);
//! assert_eq!(errors[0].code.as_str(), "invalid_phone");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::sync::LazyLock;

use rlibphonenumber::{get_national_significant_number_owned, PhoneNumberUtil};
use serde_json::Value;

use crate::report::{params, At, Code, Sink};
use crate::rules::text::{self, is_control, Controls, Text};

mod codec;

/// Square's bounds on the digits of the E.164 form, country code included.
pub(crate) const MIN_DIGITS: usize = 9;
/// See [`MIN_DIGITS`].
pub(crate) const MAX_DIGITS: usize = 16;

/// The engine gives up past 250 characters; refusing earlier keeps its work bounded.
const MAX_INPUT_CHARS: usize = 64;

/// The engine's metadata (rlibphonenumber 2.2.15's built-in blob) with only what parsing
/// and validity read; rebuilt and compared by `tests::filtered_metadata_is_current`.
static METADATA: &[u8] = include_bytes!("phone-metadata.bin");

/// The engine over [`METADATA`], built on first use. `None` only if the committed blob
/// were corrupt, which `tests::filtered_metadata_loads` rules out; every number then reads
/// as unparseable rather than panicking in a rule.
fn engine() -> Option<&'static PhoneNumberUtil> {
    static ENGINE: LazyLock<Option<PhoneNumberUtil>> =
        LazyLock::new(|| PhoneNumberUtil::new_for_metadata(codec::decode(METADATA)?).ok());
    ENGINE.as_ref()
}

/// Every region the phone rules know (ISO 3166-1 alpha-2) with its calling code, in the
/// engine's order.
pub(crate) fn supported_regions() -> impl Iterator<Item = (String, i32)> {
    engine().into_iter().flat_map(|engine| {
        engine.get_supported_regions().filter_map(move |region| {
            Some((region.as_region_str().as_str().to_owned(), engine.get_country_code_for_region(region)?))
        })
    })
}

/// A region the phone engine has metadata for, e.g. `US`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Region {
    engine: rlibphonenumber::Region,
    code: [u8; 2],
}

impl Region {
    pub(crate) const US: Region = Region { engine: rlibphonenumber::Region::US, code: *b"US" };

    /// `"GB"` or `"gb"` → `Some(GB)`; a code without phone metadata → `None`.
    pub(crate) fn parse(text: &str) -> Option<Region> {
        let code: [u8; 2] = text.as_bytes().try_into().ok()?;
        if !code.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        let code = code.map(|b| b.to_ascii_uppercase());
        let region = rlibphonenumber::Region::from_code(std::str::from_utf8(&code).ok()?).ok()?;
        engine()?.get_country_code_for_region(region)?;
        Some(Region { engine: region, code })
    }

    #[cfg(test)]
    pub(crate) fn as_str(&self) -> &str {
        // Both bytes are ASCII letters, checked in `parse`.
        std::str::from_utf8(&self.code).unwrap_or("US")
    }
}

/// Whether the phone rules know `code` (either case), as a default region.
pub(crate) fn is_known_region(code: &str) -> bool {
    Region::parse(code).is_some()
}

/// Why a phone number was refused; `as_str` is the `reason` param of `invalid_phone`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PhoneError {
    /// A character other than digits, one leading `+`, spaces, `-`, `.`, `(`, `)`.
    Characters,
    /// The engine could not read a number from it.
    Unparseable,
    /// Read, but not a valid number of its region (libphonenumber's `is_valid_number`).
    Invalid,
    /// Valid, but fewer than 9 digits in E.164 (Niue, Saint Helena, …): Square refuses those.
    TooShort,
    /// More than 16 digits in E.164.
    TooLong,
}

impl PhoneError {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PhoneError::Characters => "characters",
            PhoneError::Unparseable => "unparseable",
            PhoneError::Invalid => "invalid",
            PhoneError::TooShort => "too_short",
            PhoneError::TooLong => "too_long",
        }
    }
}

/// The E.164 form of `input` (already trimmed), or why not.
pub(crate) fn parse(input: &str, default_region: Region) -> Result<String, PhoneError> {
    // Our rule runs first: the engine panics on some inputs it refuses
    // (`;phone-context=+1;tel:`, see DEPENDENCIES.md), and it would accept letters.
    let mut other_spaces = false;
    for (i, c) in input.chars().enumerate() {
        match c {
            '0'..='9' | '-' | '.' | '(' | ')' | ' ' => {}
            '+' if i == 0 => {}
            // Any Unicode space (NBSP, thin space from a paste) reads as a space; the engine
            // itself knows only some of them.
            c if c.is_whitespace() && !is_control(c) => other_spaces = true,
            _ => return Err(PhoneError::Characters),
        }
        if i >= MAX_INPUT_CHARS {
            return Err(PhoneError::TooLong);
        }
    }
    // Most numbers are typed with ASCII spaces only: those reach the engine as they are.
    let engine_input: Cow<'_, str> = if other_spaces {
        Cow::Owned(input.chars().map(|c| if c.is_whitespace() { ' ' } else { c }).collect())
    } else {
        Cow::Borrowed(input)
    };
    // A `+` number is read with its own country code, never through the default region.
    let region = if engine_input.starts_with('+') { None } else { Some(default_region.engine) };
    let engine = engine().ok_or(PhoneError::Unparseable)?;
    let number = engine.parse(&engine_input, region).map_err(|_| PhoneError::Unparseable)?;
    if !engine.is_valid_number(&number) {
        return Err(PhoneError::Invalid);
    }
    // E.164 is the country code and the national significant number (Italian leading zeros
    // included, which the helper restores): the engine's formatter, its format metadata and
    // 2 KB gz are not needed for that.
    let e164 = format!("+{}{}", number.country_code, get_national_significant_number_owned(&number));
    let digits = e164.len() - 1;
    if digits < MIN_DIGITS {
        return Err(PhoneError::TooShort);
    }
    if digits > MAX_DIGITS {
        return Err(PhoneError::TooLong);
    }
    Ok(e164)
}

/// Checks an optional phone field; returns what was given and, when valid, its E.164 form.
pub(crate) fn check<'a>(
    value: Option<&'a Value>,
    at: &At<'_>,
    region: &str,
    sink: &mut Sink,
) -> (Text<'a>, Option<String>) {
    // Options holds only regions `is_known_region` accepted.
    let region = Region::parse(region).unwrap_or(Region::US);
    let given = text::read(value, at, None, Controls::Refused, sink);
    let Some(input) = given.ok() else { return (given, None) };
    match parse(input, region) {
        Ok(e164) => (given, Some(e164)),
        Err(reason) => {
            sink.push(
                at,
                Code::InvalidPhone,
                params([("reason", reason.as_str().into()), ("min", MIN_DIGITS.into()), ("max", MAX_DIGITS.into())]),
            );
            (given.fail(), None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;
    use rlibphonenumber::{PhoneMetadata, PhoneMetadataCollection};

    // The engine marks the raw metadata fields deprecated for readers of its own wrapper;
    // here the raw fields are exactly what we filter.
    #[allow(deprecated)]
    /// What [`METADATA`] keeps of the engine's blob: every field parsing and
    /// `is_valid_number` read. Dropped: example numbers, national and international formats,
    /// the short-number and dialling descriptions that only other calls read, and the
    /// descriptions of number types a region doesn't have (no pattern, possible length
    /// `-1`): the engine reads a missing description the same way (no number matches it),
    /// and `filtered_engine_agrees_with_the_full_one` holds it to that.
    fn filter(mut collection: PhoneMetadataCollection) -> PhoneMetadataCollection {
        for metadata in &mut collection.metadata {
            let PhoneMetadata { number_format, intl_number_format, .. } = metadata;
            number_format.clear();
            intl_number_format.clear();
            for unused in [
                &mut metadata.emergency,
                &mut metadata.short_code,
                &mut metadata.standard_rate,
                &mut metadata.carrier_specific,
                &mut metadata.sms_services,
                &mut metadata.no_international_dialling,
            ] {
                *unused = None;
            }
            for field in codec::DESCRIPTIONS {
                let desc = field(metadata);
                if desc.as_ref().is_some_and(|d| d.national_number_pattern.is_none() && d.possible_length == [-1]) {
                    *desc = None;
                }
                if let Some(desc) = desc {
                    desc.example_number = None;
                }
            }
        }
        collection
    }

    /// The engine over our blob gives the same verdict and E.164 as the engine over its own
    /// full built-in metadata: on every corpus input, with and without its default region,
    /// and on 100,000 seeded mutations of them (a digit dropped, inserted or changed, a
    /// dialling prefix added, the punctuation removed).
    #[test]
    fn filtered_engine_agrees_with_the_full_one() {
        use rlibphonenumber::PHONE_NUMBER_UTIL as FULL;
        let ours = engine().expect("our engine loads");
        let verdict = |util: &PhoneNumberUtil, input: &str, region: Option<rlibphonenumber::Region>| match util
            .parse(input, region)
        {
            Ok(n) => Ok((util.is_valid_number(&n), n.country_code, get_national_significant_number_owned(&n))),
            Err(e) => Err(format!("{e:?}")),
        };
        let corpus = include_str!("../../tests/data/phone-libphonenumber-9.0.33.tsv");
        let mut inputs: Vec<(String, &str)> = corpus
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("region\t"))
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                Some((f.get(2)?.to_string(), *f.get(3)?))
            })
            .collect();
        assert!(inputs.len() > 6000, "{} corpus rows", inputs.len());
        // A small xorshift: the same 100,000 mutations on every run.
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let base = inputs.len();
        for _ in 0..100_000 {
            let (input, region) = inputs[next(base)].clone();
            let mut chars: Vec<char> = input.chars().collect();
            match next(5) {
                0 if chars.len() > 2 => {
                    chars.remove(next(chars.len()));
                }
                1 => chars.insert(next(chars.len() + 1), char::from(b'0' + next(10) as u8)),
                2 if !chars.is_empty() => {
                    let at = next(chars.len());
                    chars[at] = char::from(b'0' + next(10) as u8);
                }
                3 => {
                    chars.splice(0..0, ["0", "00", "+", "011 ", "8"][next(5)].chars());
                }
                _ => chars.retain(|c| c.is_ascii_digit()),
            };
            inputs.push((chars.into_iter().collect(), region));
        }
        let (mut differences, mut valid) = (Vec::new(), 0);
        for (input, region) in &inputs {
            for region in [rlibphonenumber::Region::from_code(region).ok(), None] {
                let (a, b) = (verdict(ours, input, region), verdict(&FULL, input, region));
                valid += usize::from(matches!(a, Ok((true, ..))));
                if a != b {
                    differences.push(format!("{input:?} {region:?}: ours {a:?}, full {b:?}"));
                }
            }
        }
        // Both kinds of verdict are well represented, so agreement means something.
        assert!(valid > 20_000 && valid < inputs.len(), "{valid} valid of {} inputs", inputs.len() * 2);
        assert!(
            differences.is_empty(),
            "{} differences, first: {:#?}",
            differences.len(),
            &differences[..differences.len().min(5)]
        );
    }

    /// The engine's own blob, found through `cargo metadata` (the crate does not export it).
    fn engine_blob() -> Vec<u8> {
        let rustc = std::process::Command::new("rustc").arg("-vV").output().expect("rustc -vV runs");
        let rustc = String::from_utf8_lossy(&rustc.stdout).into_owned();
        let host = rustc.lines().find_map(|l| l.strip_prefix("host: ")).expect("rustc names its host");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        // Offline, and only this platform's graph: the wasm32-only test crates need not be fetched.
        let output = std::process::Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--offline", "--filter-platform", host, "--manifest-path"])
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
            .output()
            .expect("cargo metadata runs");
        assert!(output.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&output.stderr));
        let metadata: Value = serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
        let packages = metadata["packages"].as_array().expect("packages");
        let engine = packages
            .iter()
            .find(|p| p["name"] == "rlibphonenumber" && p["version"] == "2.2.15")
            .expect("rlibphonenumber 2.2.15 in the dependency graph: update this test and the blob with it");
        let manifest = std::path::Path::new(engine["manifest_path"].as_str().expect("manifest_path"));
        let blob = manifest.parent().expect("crate dir").join("src/generated/metadata/metadata.bin");
        std::fs::read(&blob).unwrap_or_else(|e| panic!("{}: {e}", blob.display()))
    }

    /// Fails when `phone-metadata.bin` is not the filter of the engine's blob (after an
    /// upgrade); `UPDATE_PHONE_METADATA=1 cargo test --lib phone::` rewrites it.
    #[test]
    fn filtered_metadata_is_current() {
        let full = PhoneMetadataCollection::decode(engine_blob().as_slice()).expect("engine blob decodes");
        let regions = full.metadata.len();
        let filtered = codec::encode(&filter(full));
        if filtered != METADATA {
            if std::env::var_os("UPDATE_PHONE_METADATA").is_some() {
                let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/rules/phone-metadata.bin");
                std::fs::write(path, &filtered).expect("write phone-metadata.bin");
                panic!("phone-metadata.bin rewritten ({} bytes): run the tests again", filtered.len());
            }
            panic!("phone-metadata.bin is stale: run `UPDATE_PHONE_METADATA=1 cargo test --lib phone::`");
        }
        assert!(regions > 240, "{regions} regions");
    }

    /// Decoding our blob gives back exactly the filtered metadata, every field of every
    /// region: a field that `codec`'s lists leave out fails here.
    #[test]
    fn codec_round_trips() {
        let full = PhoneMetadataCollection::decode(engine_blob().as_slice()).expect("engine blob decodes");
        let filtered = filter(full);
        assert_eq!(codec::decode(&codec::encode(&filtered)), Some(filtered));
    }

    /// A cut or corrupted blob decodes to `None` (every number then reads as unparseable);
    /// it never panics.
    #[test]
    fn codec_refuses_damaged_blobs() {
        for cut in [1, 2, 10, METADATA.len() / 2, METADATA.len() - 1] {
            assert_eq!(codec::decode(&METADATA[..cut]), None, "cut at {cut}");
        }
        let mut overlong = METADATA.to_vec();
        overlong.push(0); // a byte after the last region
        assert_eq!(codec::decode(&overlong), None);
        overlong[0] = 0xff; // the region count: a varint running past the blob
        assert_eq!(codec::decode(&overlong[..3]), None);
        // A region count whose fifth byte carries more than the 4 bits a `u32` has left.
        assert_eq!(codec::decode(&[0xff, 0xff, 0xff, 0xff, 0x1f, 0]), None);
    }

    #[test]
    #[allow(deprecated)] // see `filter`
    fn filtered_metadata_loads() {
        let collection = codec::decode(METADATA).expect("blob decodes");
        assert!(collection.metadata.iter().all(|m| m.number_format.is_empty()), "formats were dropped");
        assert!(engine().is_some());
        assert_eq!(Region::parse("gb").map(|r| r.as_str().to_owned()), Some("GB".to_owned()));
        // E.164 without the formatter: an Italian fixed line keeps its leading zero.
        for (input, e164) in [("+1 650-253-0000", "+16502530000"), ("+39 02 1234 5678", "+390212345678")] {
            assert_eq!(parse(input, Region::US), Ok(e164.to_owned()), "{input}");
        }
    }
}
