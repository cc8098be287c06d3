//! Our own encoding of the phone engine's metadata (`phone-metadata.bin`), and its decoder.
//!
//! The engine ships its metadata as protobuf, decoded by prost. We keep only a few fields
//! (see `filter` in the parent's tests), and every region has the same shape, so a fixed
//! field order needs no tags: each field is a length or a flag followed by its bytes. That
//! matters in the browser, where the first phone check waits for the decoding: prost's
//! generic decoder took ≈ 15 ms of a cold start in Chromium (its code running in V8's
//! baseline compiler while the optimizing one compiled it), and was 14 KB of the module.
//!
//! Layout: the number of regions (a varint), then per region, in this order (`varint` is LEB128; an optional value is `0` for
//! `None`, otherwise its length or value plus one):
//! - `id`: varint length, UTF-8 bytes;
//! - `country_code`: optional varint;
//! - the [`STRINGS`]: optional varint length, UTF-8 bytes;
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
pub(super) fn decode(bytes: &[u8]) -> Option<PhoneMetadataCollection> {
    let mut reader = Reader { bytes, at: 0 };
    let regions = reader.varint()?;
    // Not `with_capacity(regions)`: a damaged count must not allocate gigabytes.
    let mut metadata = Vec::with_capacity(256);
    for _ in 0..regions {
        metadata.push(reader.region()?);
    }
    // Trailing bytes mean a blob of another layout, not ours.
    (reader.at == bytes.len()).then_some(PhoneMetadataCollection { metadata })
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn region(&mut self) -> Option<PhoneMetadata> {
        let mut region = PhoneMetadata { id: self.string()?, ..PhoneMetadata::default() };
        region.country_code = self.optional_varint()?.map(|n| i32::try_from(n).ok()).unwrap_or(None);
        for field in STRINGS {
            *field(&mut region) = self.optional_string()?;
        }
        for field in FLAGS {
            *field(&mut region) = match self.byte()? {
                0 => None,
                flag => Some(flag == 2),
            };
        }
        for field in DESCRIPTIONS {
            *field(&mut region) = match self.byte()? {
                0 => None,
                _ => Some(PhoneNumberDesc {
                    national_number_pattern: self.optional_string()?,
                    possible_length: self.lengths()?,
                    possible_length_local_only: self.lengths()?,
                    example_number: None,
                }),
            };
        }
        Some(region)
    }

    fn byte(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(byte)
    }

    fn varint(&mut self) -> Option<u32> {
        let mut value = 0u32;
        for shift in [0, 7, 14, 21, 28] {
            let byte = self.byte()?;
            value |= u32::from(byte & 0x7f).checked_shl(shift)?;
            if byte < 0x80 {
                return Some(value);
            }
        }
        None
    }

    fn optional_varint(&mut self) -> Option<Option<u32>> {
        Some(self.varint()?.checked_sub(1))
    }

    fn string(&mut self) -> Option<String> {
        let len = usize::try_from(self.varint()?).ok()?;
        let bytes = self.bytes.get(self.at..self.at.checked_add(len)?)?;
        self.at += len;
        Some(std::str::from_utf8(bytes).ok()?.to_owned())
    }

    fn optional_string(&mut self) -> Option<Option<String>> {
        let Some(len) = self.optional_varint()? else { return Some(None) };
        let len = usize::try_from(len).ok()?;
        let bytes = self.bytes.get(self.at..self.at.checked_add(len)?)?;
        self.at += len;
        Some(Some(std::str::from_utf8(bytes).ok()?.to_owned()))
    }

    fn lengths(&mut self) -> Option<Vec<i32>> {
        let count = usize::from(self.byte()?);
        let bytes = self.bytes.get(self.at..self.at.checked_add(count)?)?;
        self.at += count;
        Some(bytes.iter().map(|&b| i32::from(b as i8)).collect())
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
    fn optional_string(out: &mut Vec<u8>, s: &Option<String>) {
        match s {
            None => varint(out, 0),
            Some(s) => {
                varint(out, u32::try_from(s.len() + 1).expect("short string"));
                out.extend_from_slice(s.as_bytes());
            }
        }
    }
    fn lengths(out: &mut Vec<u8>, lengths: &[i32]) {
        out.push(u8::try_from(lengths.len()).expect("few lengths"));
        out.extend(lengths.iter().map(|&n| i8::try_from(n).expect("small length") as u8));
    }
    let mut out = Vec::new();
    varint(&mut out, u32::try_from(collection.metadata.len()).expect("few regions"));
    for region in &collection.metadata {
        let mut region = region.clone();
        let id = region.id.clone();
        varint(&mut out, u32::try_from(region.id.len()).expect("short id"));
        out.extend_from_slice(region.id.as_bytes());
        varint(&mut out, region.country_code.map_or(0, |c| u32::try_from(c).expect("positive code") + 1));
        for field in STRINGS {
            optional_string(&mut out, field(&mut region));
        }
        for field in FLAGS {
            out.push(field(&mut region).map_or(0, |flag| 1 + u8::from(flag)));
        }
        for field in DESCRIPTIONS {
            match field(&mut region) {
                None => out.push(0),
                Some(desc) => {
                    assert_eq!(desc.example_number, None, "{id}: example numbers are filtered out");
                    out.push(1);
                    optional_string(&mut out, &desc.national_number_pattern);
                    lengths(&mut out, &desc.possible_length);
                    lengths(&mut out, &desc.possible_length_local_only);
                }
            }
        }
    }
    out
}
