//! External references: links from the customer to the same person in other systems
//! (`square`, `my_pos`), upserted per store by (source, external_id).

use serde_json::Value;

use crate::model::ExternalReference;
use crate::report::{params, At, Code, Sink};
use crate::rules::metadata;
use crate::rules::names::{EXTERNAL_ID_MAX, SOURCE_MAX};
use crate::rules::text;

/// At most this many references in one request.
pub(crate) const MAX_ITEMS: usize = 50;

/// `^[a-z0-9]+(?:[_-][a-z0-9]+)*$`: lowercase words joined by single `_` or `-`.
pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split(['_', '-'])
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// Checks the array; returns the normalized references, duplicates of (source,
/// external_id) merged with the last one winning (they are upserted), in first-seen order.
pub(crate) fn check(value: Option<&Value>, at: &At<'_>, sink: &mut Sink) -> Option<Vec<ExternalReference>> {
    let items = match value? {
        Value::Null => return None,
        Value::Array(items) => items,
        _ => {
            sink.push_bare(at, Code::ExpectedArray);
            return None;
        }
    };
    if items.len() > MAX_ITEMS {
        sink.push(at, Code::TooMany, params([("max", MAX_ITEMS.into())]));
    }
    let mut references: Vec<ExternalReference> = Vec::with_capacity(items.len().min(MAX_ITEMS));
    for (i, item) in items.iter().enumerate() {
        let item_at = at.index(i);
        let Value::Object(object) = item else {
            sink.push_bare(&item_at, Code::ExpectedObject);
            continue;
        };
        let source_at = item_at.key("source");
        let source = text::read_required(object.get("source"), &source_at, Some(SOURCE_MAX), sink);
        if source.ok().is_some_and(|s| !is_slug(s)) {
            sink.push_bare(&source_at, Code::InvalidSlug);
        }
        let external_id =
            text::read_required(object.get("external_id"), &item_at.key("external_id"), Some(EXTERNAL_ID_MAX), sink);
        let metadata = metadata::check(object.get("metadata"), &item_at.key("metadata"), sink);
        let reference = ExternalReference {
            source: source.given().unwrap_or_default().to_owned(),
            external_id: external_id.given().unwrap_or_default().to_owned(),
            metadata,
        };
        match references.iter_mut().find(|r| r.source == reference.source && r.external_id == reference.external_id) {
            Some(earlier) => *earlier = reference,
            None => references.push(reference),
        }
    }
    Some(references)
}
