//! Metadata objects (the customer's, and each external reference's): a JSON object of at
//! most 16 KiB serialized, nested at most 8 levels, with non-blank keys of ≤ 40 characters.
//!
//! The values are the caller's own data and are kept verbatim (not trimmed).

use serde_json::{Map, Value};

use crate::report::{params, At, Code, Sink};
use crate::rules::text::{is_control, within_chars};

/// Serialized size limit, in bytes of compact JSON.
pub(crate) const MAX_BYTES: usize = 16 * 1024;
/// Nesting limit: the metadata object itself is level 1.
pub(crate) const MAX_DEPTH: usize = 8;
/// Key length limit, in characters.
pub(crate) const MAX_KEY_CHARS: usize = 40;

/// Checks an optional metadata object; returns it when it is an object.
pub(crate) fn check(value: Option<&Value>, at: &At<'_>, sink: &mut Sink) -> Option<Map<String, Value>> {
    let object = match value? {
        Value::Null => return None,
        Value::Object(object) => object,
        _ => {
            sink.push_bare(at, Code::ExpectedObject);
            return None;
        }
    };
    // Depth first: it bounds the recursion of the key walk and of the size count.
    if depth_exceeds(object, MAX_DEPTH) {
        sink.push(at, Code::TooDeep, params([("max", MAX_DEPTH.into())]));
        return Some(object.clone());
    }
    check_keys(object, at, sink);
    let mut counter = ByteCounter(0);
    if serde_json::to_writer(&mut counter, object).is_ok() && counter.0 > MAX_BYTES {
        sink.push(at, Code::TooLarge, params([("max", MAX_BYTES.into())]));
    }
    Some(object.clone())
}

/// Whether `object` (at level 1) holds an object or array below level `max`. Stops
/// descending at `max`, so hostile nesting costs no deep recursion.
fn depth_exceeds(object: &Map<String, Value>, max: usize) -> bool {
    fn container_exceeds(value: &Value, level: usize, max: usize) -> bool {
        match value {
            Value::Object(_) | Value::Array(_) if level > max => true,
            Value::Object(o) => o.values().any(|child| container_exceeds(child, level + 1, max)),
            Value::Array(a) => a.iter().any(|child| container_exceeds(child, level + 1, max)),
            _ => false,
        }
    }
    object.values().any(|child| container_exceeds(child, 2, max))
}

/// One `invalid_key` per bad key, on the path of the object that holds it.
fn check_keys(object: &Map<String, Value>, at: &At<'_>, sink: &mut Sink) {
    for (key, child) in object {
        let trimmed = key.trim();
        let reason = if trimmed.is_empty() {
            Some("blank")
        } else if !within_chars(key, MAX_KEY_CHARS) {
            Some("too_long")
        } else if key.chars().any(is_control) {
            Some("control_characters")
        } else {
            None
        };
        if let Some(reason) = reason {
            sink.push(at, Code::InvalidKey, params([("reason", reason.into()), ("max", MAX_KEY_CHARS.into())]));
        }
        walk_children(child, &at.key(key), sink);
    }
}

fn walk_children(value: &Value, at: &At<'_>, sink: &mut Sink) {
    match value {
        Value::Object(o) => check_keys(o, at, sink),
        Value::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                walk_children(item, &at.index(i), sink);
            }
        }
        _ => {}
    }
}

struct ByteCounter(usize);

impl std::io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
