//! Rails-style form-encoded input (`customer[first_name]=…&customer[external_references][][source]=…`)
//! read into the JSON shape the rules take, so a browser can pass
//! `new URLSearchParams(new FormData(form)).toString()` straight in.
//!
//! Every value stays a string: the rules accept digit strings for `card_id` and
//! `"1"`/`"0"`/`"true"`/`"false"` for `send_card_links`, the same for JSON and form input.

use serde_json::{Map, Value};

/// Rails' own limit on key nesting; deeper keys are kept as one flat key.
const MAX_KEY_DEPTH: usize = 32;

/// Reads a form body into JSON, Rails' way:
/// - `a[b][c]=v` nests objects; a repeated scalar key keeps the last value;
/// - `a[]=v` appends to an array;
/// - `a[][k]=v` appends to an array of objects, starting a new object when the last one
///   already has `k`.
///
/// ```
/// use customer_validation::parse_store_form;
/// let value = parse_store_form("customer[first_name]=Zo%C3%AB&customer[external_references][][source]=square&customer[external_references][][external_id]=A1&card_id=12");
/// assert_eq!(value["customer"]["first_name"], "Zoë");
/// assert_eq!(value["customer"]["external_references"][0]["external_id"], "A1");
/// assert_eq!(value["card_id"], "12");
/// ```
pub fn parse_store_form(body: &str) -> Value {
    let mut root = Map::new();
    for (key, value) in form_urlencoded::parse(body.trim_start_matches('?').as_bytes()) {
        let segments = split_key(&key);
        insert(&mut root, &segments, Value::String(value.into_owned()));
    }
    Value::Object(root)
}

/// `a[b][][c]` → `["a", "b", "", "c"]`; a malformed key is one segment, as typed.
fn split_key(key: &str) -> Vec<String> {
    let Some(open) = key.find('[') else { return vec![key.to_owned()] };
    let mut segments = vec![key[..open].to_owned()];
    let mut rest = &key[open..];
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else { return vec![key.to_owned()] };
        segments.push(inner[..close].to_owned());
        rest = &inner[close + 1..];
    }
    if !rest.is_empty() || segments[0].is_empty() || segments.len() > MAX_KEY_DEPTH {
        return vec![key.to_owned()];
    }
    segments
}

fn insert(object: &mut Map<String, Value>, segments: &[String], value: Value) {
    let (first, rest) = match segments {
        [] => return,
        [first, rest @ ..] => (first, rest),
    };
    match rest {
        [] => {
            object.insert(first.clone(), value);
        }
        [empty, tail @ ..] if empty.is_empty() => {
            let slot = object.entry(first.clone()).or_insert_with(|| Value::Array(Vec::new()));
            if !slot.is_array() {
                *slot = Value::Array(Vec::new());
            }
            if let Value::Array(items) = slot {
                push_into_array(items, tail, value);
            }
        }
        _ => {
            let slot = object.entry(first.clone()).or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(child) = slot {
                insert(child, rest, value);
            }
        }
    }
}

fn push_into_array(items: &mut Vec<Value>, tail: &[String], value: Value) {
    if tail.is_empty() {
        items.push(value);
        return;
    }
    // Rails: the value joins the last object unless that object already has this key.
    let joins_last = match items.last() {
        Some(Value::Object(last)) => !has_path(last, tail),
        _ => false,
    };
    if !joins_last {
        items.push(Value::Object(Map::new()));
    }
    if let Some(Value::Object(last)) = items.last_mut() {
        insert(last, tail, value);
    }
}

fn has_path(object: &Map<String, Value>, segments: &[String]) -> bool {
    match segments {
        [] => true,
        [key] => object.contains_key(key),
        [key, rest @ ..] if !rest[0].is_empty() => match object.get(key) {
            Some(Value::Object(child)) => has_path(child, rest),
            _ => false,
        },
        [key, ..] => object.contains_key(key),
    }
}
