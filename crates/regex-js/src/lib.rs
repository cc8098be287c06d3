//! The part of [regex-lite](https://docs.rs/regex-lite/0.1.9)'s API that `rlibphonenumber`
//! 2.2.15 calls, run by the JavaScript host's `RegExp` (issue 11): the browser already ships
//! a JIT-compiled engine, so the WASM module needn't carry one.
//!
//! ```ignore
//! let re = regex_lite::Regex::new(r"(?i)ext\.?\s*(\d+)$")?;
//! let caps = re.captures("+1 650 253 0000 EXT. 12").unwrap();
//! assert_eq!(&caps[1], "12");
//! ```
//!
//! Semantics follow regex-lite where JavaScript can express them (`\s`, `.`, `\A`, `\z`, the
//! replacement syntax and empty-match iteration are translated or done here); one difference
//! stays: `(?i)` folds case by Unicode's simple case folding (JavaScript's `iu`), as the
//! `regex` crate of the native build does, where regex-lite folds ASCII only.
//!
//! Offsets are UTF-8 bytes, as in Rust; JavaScript reports UTF-16 code units and they are
//! mapped back here.
#![forbid(unsafe_code)]

#[cfg(regex_js_floor)]
mod floor;
mod interpolate;
mod translate;

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::fmt;
use std::sync::Arc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(extends = js_sys::Object, js_name = RegExp)]
    type JsRegExp;

    // `catch`: js_sys's constructor would abort the module on a pattern JavaScript rejects.
    #[wasm_bindgen(constructor, catch, js_class = "RegExp")]
    fn new(source: &str, flags: &str) -> Result<JsRegExp, JsValue>;
}

// Each test or search is one call out of the module that reads the haystack straight from
// the module's memory (no string object made by wasm-bindgen's glue, whose `TextDecoder`
// costs more than the match itself on a phone number) and, for a search, writes the group
// offsets straight back into it (instead of five calls: `lastIndex`, `exec`, `indices`,
// `flat`, a `Float64Array`). Short ASCII haystacks, nearly all of them, are read by a loop;
// anything else by `TextDecoder`. (A detached buffer, after the memory grew, has length 0.)
// The last short ASCII text read is kept, with its address: the engine asks several patterns
// about one number in turn, and comparing its bytes costs less than building a new string
// (−8% a phone check).
// They answer 0 or 1, not a boolean: V8 passes a small integer back to WASM on its fast path.
#[wasm_bindgen(inline_js = r#"
let memory, bytes, ints;
const decoder = new TextDecoder();
export function useMemory(m) { memory = m; }
let lastAt = -1, lastText = "";
function text(at, len) {
  if (bytes === undefined || bytes.byteLength === 0) {
    bytes = new Uint8Array(memory.buffer);
    ints = new Int32Array(memory.buffer);
  }
  if (len > 40) return decoder.decode(bytes.subarray(at, at + len));
  if (at === lastAt && len === lastText.length) {
    let i = 0;
    while (i < len && bytes[at + i] === lastText.charCodeAt(i)) i++;
    if (i === len) return lastText;
  }
  let s = "";
  for (let i = at; i < at + len; i++) {
    if (bytes[i] > 127) return decoder.decode(bytes.subarray(at, at + len));
    s += String.fromCharCode(bytes[i]);
  }
  lastAt = at;
  lastText = s;
  return s;
}
export function testAt(re, at, len) { return re.test(text(at, len)) ? 1 : 0; }
export function searchAt(re, at, len, lastIndex, out, groups) {
  const hay = text(at, len);
  re.lastIndex = lastIndex;
  const m = re.exec(hay);
  if (m === null) return 0;
  for (let g = 0, o = out >>> 2; g < groups; g++, o += 2) {
    const span = m.indices[g];
    ints[o] = span === undefined ? -1 : span[0];
    ints[o + 1] = span === undefined ? -1 : span[1];
  }
  return 1;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = useMemory)]
    fn use_memory(memory: &JsValue);

    /// `re.test(haystack)`, the haystack read from `len` bytes of memory at `at`.
    #[wasm_bindgen(js_name = testAt)]
    fn test_at(re: &JsRegExp, at: *const u8, len: usize) -> u32;

    /// `re.exec(haystack)` from UTF-16 index `last_index`; on a match, writes the UTF-16
    /// `[start, end]` of groups `0..groups` (`-1` for a group that took no part) at `out`.
    #[wasm_bindgen(js_name = searchAt)]
    fn search_at(re: &JsRegExp, at: *const u8, len: usize, last_index: u32, out: *mut i32, groups: usize) -> u32;
}

/// The two compiled forms of one pattern: `test` needs no state and no indices, which makes
/// it the fast one; searching needs `lastIndex` (`g`) and group offsets (`d`). The search
/// form is compiled on its first search: most patterns are only ever tested, and every
/// `RegExp` built before the first phone check is cold-start time in a browser.
struct Compiled {
    test: JsRegExp,
    search: OnceCell<Option<JsRegExp>>,
    source: String,
    case_insensitive: bool,
}

impl Compiled {
    /// `None` only if the host refused the search flags on a source it took for `test`,
    /// which `d` and `g` can't cause; the search then finds nothing rather than panic.
    fn search(&self) -> Option<&JsRegExp> {
        let flags = if self.case_insensitive { "dgiu" } else { "dgu" };
        self.search.get_or_init(|| JsRegExp::new(&self.source, flags).ok()).as_ref()
    }
}

thread_local! {
    // JavaScript values can't live in a `Sync` static, and the engine keeps its `Regex`es in
    // one (`OnceLock`), so a `Regex` holds a slot number into this table instead.
    static TABLE: RefCell<Vec<Option<Compiled>>> = const { RefCell::new(Vec::new()) };
}

/// A slot of `TABLE`, freed when the last `Regex` clone using it goes.
#[derive(Debug)]
struct Slot(usize);

impl Drop for Slot {
    fn drop(&mut self) {
        let _ = TABLE.try_with(|t| t.borrow_mut()[self.0] = None);
    }
}

fn with_compiled<R>(slot: &Slot, f: impl FnOnce(&Compiled) -> R) -> R {
    TABLE.with(|t| {
        let t = t.borrow();
        match t.get(slot.0).and_then(Option::as_ref) {
            Some(c) => f(c),
            // Unreachable: a slot is emptied only by its own `Drop`.
            None => panic!("regex slot freed while in use"),
        }
    })
}

/// An error from [`Regex::new`]: the pattern uses syntax this adapter can't translate, or
/// the host's `RegExp` rejected the translation.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    msg: String,
}

/// The message alone, as `Display` prints it: the engine's `unwrap`s print errors with
/// `Debug`, and a derived one would escape the message character by character.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for Error {}

/// A compiled regular expression; compiled once by [`Regex::new`], cheap to clone.
#[derive(Clone)]
pub struct Regex {
    pattern: Arc<str>,
    names: Arc<[Option<String>]>,
    slot: Arc<Slot>,
}

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The pattern as written, unescaped, like `Error`'s `Debug`.
        f.write_str("Regex(")?;
        f.write_str(&self.pattern)?;
        f.write_str(")")
    }
}

impl fmt::Display for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

impl std::str::FromStr for Regex {
    type Err = Error;
    fn from_str(s: &str) -> Result<Regex, Error> {
        Regex::new(s)
    }
}

/// UTF-8 byte offset → UTF-16 index in `hay`, for `lastIndex`.
fn utf16_index(hay: &str, byte: usize) -> u32 {
    if hay.is_ascii() {
        return byte as u32;
    }
    hay.char_indices().take_while(|(i, _)| *i < byte).map(|(_, c)| c.len_utf16() as u32).sum()
}

/// Positions JavaScript reports (UTF-16, ascending or not) → UTF-8 byte offsets.
fn to_utf8(hay: &str, positions: &mut [Option<(usize, usize)>]) {
    if hay.is_ascii() {
        return;
    }
    let map = |u16_at: usize| -> usize {
        let mut units = 0;
        for (i, c) in hay.char_indices() {
            if units >= u16_at {
                return i;
            }
            units += c.len_utf16();
        }
        hay.len()
    };
    for (s, e) in positions.iter_mut().flatten() {
        *s = map(*s);
        *e = map(*e);
    }
}

impl Regex {
    /// Compiles `pattern` (Rust syntax) into the host's `RegExp`.
    pub fn new(pattern: &str) -> Result<Regex, Error> {
        let t = translate::translate(pattern).map_err(|msg| Error { msg: format!("regex parse error: {msg}") })?;
        let test = JsRegExp::new(&t.source, if t.case_insensitive { "iu" } else { "u" }).map_err(|e| Error {
            msg: format!(
                "regex parse error: the host's RegExp rejects `{}`: {}",
                t.source,
                e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_default()
            ),
        })?;
        let compiled =
            Compiled { test, search: OnceCell::new(), source: t.source, case_insensitive: t.case_insensitive };
        let slot = TABLE.with(|t| {
            let mut t = t.borrow_mut();
            if t.is_empty() {
                use_memory(&wasm_bindgen::memory());
            }
            match t.iter().position(Option::is_none) {
                Some(i) => {
                    t[i] = Some(compiled);
                    i
                }
                None => {
                    t.push(Some(compiled));
                    t.len() - 1
                }
            }
        });
        Ok(Regex { pattern: pattern.into(), names: t.names.into(), slot: Arc::new(Slot(slot)) })
    }

    /// The pattern as given to [`Regex::new`].
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Number of capture groups, the whole match included.
    pub fn captures_len(&self) -> usize {
        self.names.len()
    }

    pub fn is_match(&self, haystack: &str) -> bool {
        #[cfg(regex_js_floor)]
        return floor::remembered(haystack, (self.slot.0, usize::MAX, 0), || self.test(haystack).then(Vec::new))
            .is_some();
        #[cfg(not(regex_js_floor))]
        self.test(haystack)
    }

    fn test(&self, haystack: &str) -> bool {
        with_compiled(&self.slot, |c| test_at(&c.test, haystack.as_ptr(), haystack.len()) == 1)
    }

    pub fn is_match_at(&self, haystack: &str, start: usize) -> bool {
        self.find_at(haystack, start).is_some()
    }

    pub fn find<'h>(&self, haystack: &'h str) -> Option<Match<'h>> {
        self.find_at(haystack, 0)
    }

    /// Like regex-lite, the search starts at `start` but `^` and `\b` still see what precedes it.
    pub fn find_at<'h>(&self, haystack: &'h str, start: usize) -> Option<Match<'h>> {
        let slots = self.search(haystack, start, 1)?;
        let (s, e) = slots[0]?;
        Some(Match { haystack, start: s, end: e })
    }

    pub fn find_iter<'r, 'h>(&'r self, haystack: &'h str) -> Matches<'r, 'h> {
        Matches(self.captures_iter(haystack))
    }

    pub fn captures<'h>(&self, haystack: &'h str) -> Option<Captures<'h>> {
        self.captures_at(haystack, 0)
    }

    pub fn captures_at<'h>(&self, haystack: &'h str, start: usize) -> Option<Captures<'h>> {
        let slots = self.search(haystack, start, self.names.len())?;
        Some(Captures { haystack, slots, names: Arc::clone(&self.names) })
    }

    pub fn captures_iter<'r, 'h>(&'r self, haystack: &'h str) -> CaptureMatches<'r, 'h> {
        CaptureMatches { re: self, haystack, at: 0, last_end: None }
    }

    pub fn replace<'h, R: Replacer>(&self, haystack: &'h str, rep: R) -> Cow<'h, str> {
        self.replacen(haystack, 1, rep)
    }

    pub fn replace_all<'h, R: Replacer>(&self, haystack: &'h str, rep: R) -> Cow<'h, str> {
        self.replacen(haystack, 0, rep)
    }

    /// regex-lite's `replacen`: `limit` 0 means all; replacement expanded in Rust syntax.
    pub fn replacen<'h, R: Replacer>(&self, haystack: &'h str, limit: usize, mut rep: R) -> Cow<'h, str> {
        let mut it = self.captures_iter(haystack).enumerate().peekable();
        if it.peek().is_none() {
            return Cow::Borrowed(haystack);
        }
        let mut new = String::with_capacity(haystack.len());
        let mut last = 0;
        for (i, caps) in it {
            let Some(m) = caps.get(0) else { continue };
            new.push_str(&haystack[last..m.start()]);
            rep.replace_append(&caps, &mut new);
            last = m.end();
            if limit > 0 && i + 1 >= limit {
                break;
            }
        }
        new.push_str(&haystack[last..]);
        Cow::Owned(new)
    }

    /// One `exec` from `start` (UTF-8); returns the first `groups` slots in UTF-8 offsets.
    fn search(&self, haystack: &str, start: usize, groups: usize) -> Option<Vec<Option<(usize, usize)>>> {
        #[cfg(regex_js_floor)]
        return floor::remembered(haystack, (self.slot.0, start, groups), || self.exec(haystack, start, groups));
        #[cfg(not(regex_js_floor))]
        self.exec(haystack, start, groups)
    }

    fn exec(&self, haystack: &str, start: usize, groups: usize) -> Option<Vec<Option<(usize, usize)>>> {
        if start > haystack.len() {
            return None;
        }
        let mut offsets = vec![-1i32; 2 * groups];
        let found = with_compiled(&self.slot, |c| {
            let re = c.search()?;
            let last_index = utf16_index(haystack, start);
            Some(search_at(re, haystack.as_ptr(), haystack.len(), last_index, offsets.as_mut_ptr(), groups))
        })?;
        if found != 1 {
            return None;
        }
        let mut slots: Vec<Option<(usize, usize)>> = offsets
            .chunks_exact(2)
            .map(|span| Some((usize::try_from(span[0]).ok()?, usize::try_from(span[1]).ok()?)))
            .collect();
        to_utf8(haystack, &mut slots);
        Some(slots)
    }
}

/// One match: a byte range of the haystack.
#[derive(Copy, Clone, PartialEq, Eq)]
pub struct Match<'h> {
    haystack: &'h str,
    start: usize,
    end: usize,
}

impl<'h> Match<'h> {
    pub fn start(&self) -> usize {
        self.start
    }
    pub fn end(&self) -> usize {
        self.end
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }
    pub fn as_str(&self) -> &'h str {
        &self.haystack[self.range()]
    }
}

impl fmt::Debug for Match<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Match")
            .field("start", &self.start)
            .field("end", &self.end)
            .field("string", &self.as_str())
            .finish()
    }
}

impl<'h> From<Match<'h>> for &'h str {
    fn from(m: Match<'h>) -> &'h str {
        m.as_str()
    }
}

impl<'h> From<Match<'h>> for std::ops::Range<usize> {
    fn from(m: Match<'h>) -> std::ops::Range<usize> {
        m.range()
    }
}

/// The groups of one match; group 0 is the whole match.
#[derive(Clone)]
pub struct Captures<'h> {
    haystack: &'h str,
    slots: Vec<Option<(usize, usize)>>,
    names: Arc<[Option<String>]>,
}

impl<'h> Captures<'h> {
    pub fn get(&self, i: usize) -> Option<Match<'h>> {
        let (start, end) = (*self.slots.get(i)?)?;
        Some(Match { haystack: self.haystack, start, end })
    }
    pub fn name(&self, name: &str) -> Option<Match<'h>> {
        self.get(self.names.iter().position(|n| n.as_deref() == Some(name))?)
    }
    /// Group 0 included, so never 0: regex-lite has no `is_empty` here, and neither do we.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.slots.len()
    }
    pub fn iter<'c>(&'c self) -> impl Iterator<Item = Option<Match<'h>>> + 'c {
        (0..self.len()).map(|i| self.get(i))
    }
    /// Appends `replacement` with `$1`, `$name`, `${1}` and `$$` expanded, as regex-lite does.
    pub fn expand(&self, replacement: &str, dst: &mut String) {
        interpolate::string(
            replacement,
            |i, dst| {
                if let Some(m) = self.get(i) {
                    dst.push_str(m.as_str());
                }
            },
            |name| self.names.iter().position(|n| n.as_deref() == Some(name)),
            dst,
        );
    }
}

impl fmt::Debug for Captures<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'h> std::ops::Index<usize> for Captures<'h> {
    type Output = str;
    fn index(&self, i: usize) -> &str {
        self.get(i).map(|m| m.as_str()).unwrap_or_else(|| panic!("no group at index '{i}'"))
    }
}

impl<'h, 'n> std::ops::Index<&'n str> for Captures<'h> {
    type Output = str;
    fn index(&self, name: &'n str) -> &str {
        self.name(name).map(|m| m.as_str()).unwrap_or_else(|| panic!("no group named '{name}'"))
    }
}

/// Successive non-overlapping matches, with regex-lite's rule for empty ones: an empty match
/// right where the previous match ended is skipped by moving one character on.
pub struct CaptureMatches<'r, 'h> {
    re: &'r Regex,
    haystack: &'h str,
    at: usize,
    last_end: Option<usize>,
}

impl<'h> Iterator for CaptureMatches<'_, 'h> {
    type Item = Captures<'h>;
    fn next(&mut self) -> Option<Captures<'h>> {
        let mut caps = self.re.captures_at(self.haystack, self.at)?;
        let (mut s, mut e) = caps.slots[0]?;
        if s >= e && Some(e) == self.last_end {
            let step = self.haystack[self.at..].chars().next().map_or(1, char::len_utf8);
            self.at += step;
            caps = self.re.captures_at(self.haystack, self.at)?;
            (s, e) = caps.slots[0]?;
        }
        let _ = s;
        self.at = e;
        self.last_end = Some(e);
        Some(caps)
    }
}

pub struct Matches<'r, 'h>(CaptureMatches<'r, 'h>);

impl<'h> Iterator for Matches<'_, 'h> {
    type Item = Match<'h>;
    fn next(&mut self) -> Option<Match<'h>> {
        self.0.next().and_then(|c| c.get(0))
    }
}

/// What a match is replaced with; the same impls as regex-lite's trait.
pub trait Replacer {
    fn replace_append(&mut self, caps: &Captures<'_>, dst: &mut String);
    fn no_expansion(&mut self) -> Option<Cow<'_, str>> {
        None
    }
    fn by_ref(&mut self) -> ReplacerRef<'_, Self> {
        ReplacerRef(self)
    }
}

impl Replacer for &str {
    fn replace_append(&mut self, caps: &Captures<'_>, dst: &mut String) {
        caps.expand(self, dst);
    }
}

impl Replacer for &String {
    fn replace_append(&mut self, caps: &Captures<'_>, dst: &mut String) {
        caps.expand(self, dst);
    }
}

impl Replacer for String {
    fn replace_append(&mut self, caps: &Captures<'_>, dst: &mut String) {
        caps.expand(self, dst);
    }
}

impl Replacer for Cow<'_, str> {
    fn replace_append(&mut self, caps: &Captures<'_>, dst: &mut String) {
        caps.expand(self, dst);
    }
}

impl Replacer for &Cow<'_, str> {
    fn replace_append(&mut self, caps: &Captures<'_>, dst: &mut String) {
        caps.expand(self, dst);
    }
}

impl<F, T> Replacer for F
where
    F: FnMut(&Captures<'_>) -> T,
    T: AsRef<str>,
{
    fn replace_append(&mut self, caps: &Captures<'_>, dst: &mut String) {
        dst.push_str((*self)(caps).as_ref());
    }
}

/// A replacement taken literally (`$` not expanded).
#[derive(Clone, Debug)]
pub struct NoExpand<'t>(pub &'t str);

impl Replacer for NoExpand<'_> {
    fn replace_append(&mut self, _: &Captures<'_>, dst: &mut String) {
        dst.push_str(self.0);
    }
    fn no_expansion(&mut self) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(self.0))
    }
}

#[derive(Debug)]
pub struct ReplacerRef<'a, R: ?Sized>(&'a mut R);

impl<R: Replacer + ?Sized> Replacer for ReplacerRef<'_, R> {
    fn replace_append(&mut self, caps: &Captures<'_>, dst: &mut String) {
        self.0.replace_append(caps, dst)
    }
    fn no_expansion(&mut self) -> Option<Cow<'_, str>> {
        self.0.no_expansion()
    }
}
