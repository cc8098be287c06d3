//! Our own encoding of the phone engine's metadata (`phone-metadata.bin`), and its decoder.
//!
//! The engine ships its metadata as protobuf, decoded by prost. We keep only a few fields
//! (see `filter` in the parent's tests), and every region has the same shape, so a fixed
//! field order needs no tags: each field is a length or a flag followed by its bytes. That
//! matters in the browser, where the first phone check waits for the decoding: prost's
//! generic decoder took ≈ 15 ms of a cold start in Chromium (its code running in V8's
//! baseline compiler while the optimizing one compiled it), and was 14 KB of the module.
//!
//! Layout: the number of regions and the byte length of the text (two varints), the text
//! (every string of every region, concatenated: one UTF-8 check for all of them), then per
//! region, in this order (`varint` is LEB128; an optional value is `0` for `None`,
//! otherwise its value plus one; a string's bytes are the next ones of the text, and its
//! value is its length times two, plus one when the text holds only the inside of the
//! `^(?:…)$` that wraps most of the engine's patterns: 11 KB of them, 1 KB gz):
//! - `id`: like an optional string, never absent;
//! - `country_code`: optional varint;
//! - the [`STRINGS`]: optional varint length;
//! - the [`FLAGS`]: one byte each, `0` None, `1` false, `2` true;
//! - the [`DESCRIPTIONS`]: one byte, `0` None, `1` present; if present, the pattern as an
//!   optional string, then `possible_length` and `possible_length_local_only`, each as a
//!   count byte and one signed byte per length.
//!
//! The field lists below are the only place the order is written down: the encoder (tests
//! only) walks the same lists, and `tests::codec_round_trips` checks that decoding gives
//! back exactly the filtered metadata, so a field the lists miss fails that test.

#![allow(deprecated)] // the engine marks the raw metadata fields deprecated; they are our input here

use rlibphonenumber::{PhoneMetadata, PhoneMetadataCollection, PhoneNumberDesc};

type Field<T> = fn(&mut PhoneMetadata) -> &mut Option<T>;

/// What the engine's patterns are wrapped in, stored once instead of per pattern.
const ANCHORS: (&str, &str) = ("^(?:", ")$");

/// The optional string fields, in blob order.
pub(super) const STRINGS: [Field<String>; 7] = [
    |m| &mut m.international_prefix,
    |m| &mut m.preferred_international_prefix,
    |m| &mut m.national_prefix,
    |m| &mut m.preferred_extn_prefix,
    |m| &mut m.national_prefix_for_parsing,
    |m| &mut m.national_prefix_transform_rule,
    |m| &mut m.leading_digits,
];

/// The optional flags, in blob order.
pub(super) const FLAGS: [Field<bool>; 3] = [
    |m| &mut m.same_mobile_and_fixed_line_pattern,
    |m| &mut m.main_country_for_code,
    |m| &mut m.mobile_number_portable_region,
];

/// The number descriptions parsing and `is_valid_number` read, in blob order.
pub(super) const DESCRIPTIONS: [Field<PhoneNumberDesc>; 11] = [
    |m| &mut m.general_desc,
    |m| &mut m.fixed_line,
    |m| &mut m.mobile,
    |m| &mut m.toll_free,
    |m| &mut m.premium_rate,
    |m| &mut m.shared_cost,
    |m| &mut m.personal_number,
    |m| &mut m.voip,
    |m| &mut m.pager,
    |m| &mut m.uan,
    |m| &mut m.voicemail,
];

/// The metadata in `bytes`, or `None` if they are not a well-formed blob.
///
/// Not inlined, and kept to one pass of cheap steps: in a browser this runs before the
/// first phone check, and V8 recompiles a function with its optimizing compiler (on a
/// background thread, for tens of milliseconds on a big function, competing with the page
/// for the CPU) once its loops have run long enough.
#[inline(never)]
pub(super) fn decode(bytes: &[u8]) -> Option<PhoneMetadataCollection> {
    let mut records = Reader { bytes, at: 0 };
    let regions = records.varint()?;
    let text_len = usize::try_from(records.varint()?).ok()?;
    let text_bytes = bytes.get(records.at..records.at.checked_add(text_len)?)?;
    let mut text = Text { text: std::str::from_utf8(text_bytes).ok()?, at: 0 };
    records.at += text_len;
    // Not `with_capacity(regions)`: a damaged count must not allocate gigabytes.
    let mut metadata = Vec::with_capacity(256);
    for _ in 0..regions {
        metadata.push(region(&mut records, &mut text)?);
    }
    // Trailing bytes or text mean a blob of another layout, not ours.
    (records.at == bytes.len() && text.at == text.text.len()).then_some(PhoneMetadataCollection { metadata })
}

fn region(records: &mut Reader<'_>, text: &mut Text<'_>) -> Option<PhoneMetadata> {
    let id = text.take_optional(records.varint()?)??;
    let mut region = PhoneMetadata { id, ..PhoneMetadata::default() };
    region.country_code = match records.varint()?.checked_sub(1) {
        None => None,
        // A code past `i32` is a damaged blob, not an absent code.
        Some(code) => Some(i32::try_from(code).ok()?),
    };
    for field in STRINGS {
        *field(&mut region) = text.take_optional(records.varint()?)?;
    }
    for field in FLAGS {
        *field(&mut region) = match records.byte()? {
            0 => None,
            flag => Some(flag == 2),
        };
    }
    for field in DESCRIPTIONS {
        *field(&mut region) = match records.byte()? {
            0 => None,
            _ => Some(PhoneNumberDesc {
                national_number_pattern: text.take_optional(records.varint()?)?,
                possible_length: records.lengths()?,
                possible_length_local_only: records.lengths()?,
                example_number: None,
            }),
        };
    }
    Some(region)
}

/// The records: varints, flags and lengths.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(byte)
    }

    fn varint(&mut self) -> Option<u32> {
        let mut value = 0u32;
        for shift in [0, 7, 14, 21, 28] {
            let byte = self.byte()?;
            // The fifth byte holds the top 4 bits; more would not fit in a `u32`.
            if shift == 28 && byte > 0x0f {
                return None;
            }
            value |= u32::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Some(value);
            }
        }
        None
    }

    fn lengths(&mut self) -> Option<Vec<i32>> {
        let count = usize::from(self.byte()?);
        let bytes = self.bytes.get(self.at..self.at.checked_add(count)?)?;
        self.at += count;
        Some(bytes.iter().map(|&b| i32::from(b as i8)).collect())
    }
}

/// The text: the strings, one after the other, already checked to be UTF-8.
struct Text<'a> {
    text: &'a str,
    at: usize,
}

impl Text<'_> {
    /// An optional string's record value (see the layout): `None` for `0`; otherwise the
    /// next bytes of the text, rewrapped in `^(?:…)$` if so marked. `None` past the end of
    /// the text or inside a character.
    fn take_optional(&mut self, value: u32) -> Option<Option<String>> {
        let Some(value) = value.checked_sub(1) else { return Some(None) };
        let end = self.at.checked_add(usize::try_from(value >> 1).ok()?)?;
        let inside = self.text.get(self.at..end)?;
        self.at = end;
        let string = if value & 1 == 1 {
            let mut wrapped = String::with_capacity(inside.len() + ANCHORS.0.len() + ANCHORS.1.len());
            wrapped.push_str(ANCHORS.0);
            wrapped.push_str(inside);
            wrapped.push_str(ANCHORS.1);
            wrapped
        } else {
            inside.to_owned()
        };
        Some(Some(string))
    }
}

/// The blob of `collection`; panics on what the layout cannot hold (a test helper).
#[cfg(test)]
pub(super) fn encode(collection: &PhoneMetadataCollection) -> Vec<u8> {
    fn varint(out: &mut Vec<u8>, mut n: u32) {
        while n >= 0x80 {
            out.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }
    fn len(s: &str) -> u32 {
        u32::try_from(s.len()).expect("short string")
    }
    fn lengths(out: &mut Vec<u8>, lengths: &[i32]) {
        out.push(u8::try_from(lengths.len()).expect("few lengths"));
        out.extend(lengths.iter().map(|&n| i8::try_from(n).expect("small length") as u8));
    }
    let (mut records, mut text) = (Vec::new(), String::new());
    // A string's length goes to the records and its bytes to the text; `None` is length 0.
    let mut optional_string = |records: &mut Vec<u8>, s: &Option<String>| match s {
        None => varint(records, 0),
        Some(s) => match s.strip_prefix(ANCHORS.0).and_then(|s| s.strip_suffix(ANCHORS.1)) {
            Some(inside) => {
                varint(records, len(inside) * 2 + 1 + 1);
                text.push_str(inside);
            }
            None => {
                varint(records, len(s) * 2 + 1);
                text.push_str(s);
            }
        },
    };
    for region in &collection.metadata {
        let mut region = region.clone();
        let id = region.id.clone();
        optional_string(&mut records, &Some(id.clone()));
        varint(&mut records, region.country_code.map_or(0, |c| u32::try_from(c).expect("positive code") + 1));
        for field in STRINGS {
            optional_string(&mut records, field(&mut region));
        }
        for field in FLAGS {
            records.push(field(&mut region).map_or(0, |flag| 1 + u8::from(flag)));
        }
        for field in DESCRIPTIONS {
            match field(&mut region) {
                None => records.push(0),
                Some(desc) => {
                    assert_eq!(desc.example_number, None, "{id}: example numbers are filtered out");
                    records.push(1);
                    optional_string(&mut records, &desc.national_number_pattern);
                    lengths(&mut records, &desc.possible_length);
                    lengths(&mut records, &desc.possible_length_local_only);
                }
            }
        }
    }
    let mut out = Vec::new();
    varint(&mut out, u32::try_from(collection.metadata.len()).expect("few regions"));
    varint(&mut out, len(&text));
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&records);
    out
}
