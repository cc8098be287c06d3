//! A benchmark instrument, compiled only with `--cfg regex_js_floor` (`make bench-wasm`
//! builds `target/pkg-floor` with it; no shipped build sets it): every answer the host's
//! `RegExp` gives is remembered, keyed by pattern, haystack and start, and a repeated
//! question is answered from that table without leaving the module.
//!
//! After one warm-up pass over a corpus, a phone check in that build costs what it would with
//! a regex engine that took no time at all (plus one table lookup per pattern, so the figure
//! is a little pessimistic). It measures the ceiling issue 11's "host `RegExp` ≥ 4× regex-lite"
//! runs into: the part of a check that is not regex matching.

use std::cell::RefCell;
use std::collections::HashMap;

use fnv::FnvBuildHasher;

/// haystack → (pattern slot, start, groups) → the search's slots; a test is start `usize::MAX`.
/// Keyed by haystack first so that a lookup borrows it rather than copy it.
type Slots = Option<Vec<Option<(usize, usize)>>>;
// FNV rather than SipHash: a dearer lookup would raise the floor this build measures.
type Answers = HashMap<Box<str>, HashMap<(usize, usize, usize), Slots, FnvBuildHasher>, FnvBuildHasher>;

thread_local! {
    static ANSWERS: RefCell<Answers> = RefCell::default();
}

/// The remembered answer for `question` on `haystack`, or `ask()`'s, remembered.
pub(crate) fn remembered(haystack: &str, question: (usize, usize, usize), ask: impl FnOnce() -> Slots) -> Slots {
    let known = ANSWERS.with(|a| a.borrow().get(haystack).and_then(|q| q.get(&question)).cloned());
    if let Some(known) = known {
        return known;
    }
    let answer = ask();
    ANSWERS.with(|a| a.borrow_mut().entry(haystack.into()).or_default().insert(question, answer.clone()));
    answer
}
