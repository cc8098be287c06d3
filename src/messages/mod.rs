//! The message catalogue and its one renderer, used natively, by both WASM builds and by
//! the server, so a message can't differ between them (RULES.md, "Messages and locales").
//!
//! The catalogue is data: `locales/<tag>.json` holds one template per code (see
//! [`template`]) and the locale's CLDR data (plural rules, digits, grouping) that
//! `make cldr` copies from CLDR; `api.json` holds the Store API's English fragments and
//! `developer.json` the errors a developer sees, which RULES.md keeps English. English is
//! built into every build; native and Node builds carry every locale, and the browser
//! build receives the others at run time through [`add_locale`] (the package's
//! `loadLocale`).
//!
//! A locale is kept as the JSON it was read from and read where needed, without maps or
//! trees of its own: the browser build carries this code on every page.

mod template;

use std::sync::RwLock;

use serde_json::{Map, Value};

use crate::{Code, Params, Path};

/// One file of the catalogue, checked: a locale, or one of the English files of the APIs.
#[derive(Debug)]
pub(crate) struct Locale(Value);

/// The shipped locales, with English first.
const LOCALES: [&str; 14] =
    ["en", "ar", "de", "es", "fr", "it", "ja", "nl", "pl", "pt", "pt-BR", "sv", "tr", "zh-Hans"];

/// Tags that stand for a shipped locale other than by their parents.
const ALIASES: [(&str, &str); 5] =
    [("zh", "zh-Hans"), ("zh-CN", "zh-Hans"), ("zh-SG", "zh-Hans"), ("zh-MY", "zh-Hans"), ("pt-PT", "pt")];

/// The files compiled into this build: English and the APIs' English always; every locale
/// natively and in the Node build (`all-locales`), where the bytes cost nothing on the wire.
fn builtin(name: &str) -> Option<&'static str> {
    macro_rules! files {
        ($($tag:literal),*) => {
            match name {
                "en" => Some(include_str!("locales/en.json")),
                $(
                    #[cfg(any(not(target_arch = "wasm32"), feature = "all-locales"))]
                    $tag => Some(include_str!(concat!("locales/", $tag, ".json"))),
                )*
                _ => None,
            }
        };
    }
    files!("ar", "de", "es", "fr", "it", "ja", "nl", "pl", "pt", "pt-BR", "sv", "tr", "zh-Hans")
}

/// Every file read so far (and every locale added), each parsed once and kept for the
/// program's life: a handful.
static READ: RwLock<Vec<(String, &'static Locale)>> = RwLock::new(Vec::new());

fn remember(name: String, locale: Locale) -> &'static Locale {
    let locale: &'static Locale = Box::leak(Box::new(locale));
    if let Ok(mut read) = READ.write() {
        read.retain(|(n, _)| *n != name);
        read.push((name, locale));
    }
    locale
}

fn read(name: &str) -> Option<&'static Locale> {
    READ.read().ok()?.iter().find(|(n, _)| n == name).map(|(_, l)| *l)
}

/// The locale `tag` if this build has it or it was added, reading it on first use.
fn find(tag: &str) -> Option<&'static Locale> {
    if let Some(locale) = read(tag) {
        return Some(locale);
    }
    let locale = Locale::parse(builtin(tag)?).ok()?;
    Some(remember(tag.to_owned(), locale))
}

/// An English file of the APIs (`api.json`, `developer.json`), under a name no tag has.
fn english_file(name: &str, text: &str) -> &'static Locale {
    if let Some(file) = read(name) {
        return file;
    }
    let data = serde_json::from_str::<Value>(text).unwrap_or_default();
    remember(name.to_owned(), Locale(data))
}

pub(crate) fn english() -> &'static Locale {
    // Kept apart from the list of files read: every violation is worded in English first,
    // and a lock and a search each time cost the CLI a fifth of its speed.
    static ENGLISH: std::sync::OnceLock<&'static Locale> = std::sync::OnceLock::new();
    // The built-in English file is tested; should it ever fail to read, a message is its
    // code rather than a panic.
    ENGLISH.get_or_init(|| find("en").unwrap_or_else(|| english_file("#en", "{}")))
}

impl Locale {
    /// Reads and checks a locale file: its tag, direction, CLDR data and every template.
    fn parse(text: &str) -> Result<Locale, String> {
        let locale = Locale(serde_json::from_str::<Value>(text).map_err(|_| "not JSON".to_owned())?);
        let data = &locale.0;
        let tag = data["tag"].as_str().unwrap_or("");
        if canonical(tag).as_deref() != Some(tag) {
            return Err(["tag \"", tag, "\" is not a canonical BCP 47 tag"].concat());
        }
        if !matches!(data["direction"].as_str(), Some("ltr" | "rtl")) {
            return Err("direction is ltr or rtl".into());
        }
        let cldr = &data["cldr"];
        if cldr["digits"].as_str().map(|d| d.chars().count()) != Some(10)
            || !cldr["group"].is_string()
            || !cldr["minimumGroupingDigits"].is_u64()
        {
            return Err("cldr needs ten digits, a group separator and minimumGroupingDigits".into());
        }
        for (category, rule) in cldr["plural"].as_object().ok_or("cldr.plural is not an object")? {
            let rule = rule.as_str().unwrap_or("?");
            if holds(rule, 0).is_none() {
                return Err(["plural rule ", category, ": ", rule].concat());
            }
        }
        for (key, message) in data["messages"].as_object().ok_or("messages is not an object")? {
            let message = message.as_str().ok_or_else(|| ["message ", key, " is not a string"].concat())?;
            template::check(message, &locale).map_err(|e| ["message ", key, ": ", e].concat())?;
        }
        Ok(locale)
    }

    fn tag(&self) -> &str {
        self.0["tag"].as_str().unwrap_or("en")
    }

    fn message(&self, key: &str) -> Option<&str> {
        self.0["messages"][key].as_str()
    }

    /// `n` in the locale's digits, grouped by thousands where the locale groups a number
    /// that long (CLDR's minimum grouping digits: Polish writes `5000` but `16 384`).
    pub(crate) fn write_integer(&self, n: u64, grouping: bool, out: &mut String) {
        let cldr = &self.0["cldr"];
        let digits: Vec<char> = cldr["digits"].as_str().unwrap_or("0123456789").chars().collect();
        let group = cldr["group"].as_str().unwrap_or(",");
        let min = cldr["minimumGroupingDigits"].as_u64().unwrap_or(1).max(1) as usize;
        let plain = n.to_string();
        let grouped = grouping && plain.len() >= 3 + min;
        for (i, d) in plain.bytes().enumerate() {
            if grouped && i > 0 && (plain.len() - i).is_multiple_of(3) {
                out.push_str(group);
            }
            out.push(digits.get(usize::from(d - b'0')).copied().unwrap_or('?'));
        }
    }

    /// The CLDR plural category of the integer `n` (`one`, `few`, …, else `other`).
    pub(crate) fn plural_category(&self, n: u64) -> &str {
        let rules = self.0["cldr"]["plural"].as_object();
        rules
            .into_iter()
            .flatten()
            .find(|(category, rule)| *category != "other" && holds(rule.as_str().unwrap_or(""), n) == Some(true))
            .map_or("other", |(category, _)| category.as_str())
    }
}

/// Whether CLDR plural rule `rule` (UTS #35 syntax, samples after `@` ignored) holds for
/// the integer `n`, or `None` if it is malformed. The operands are an integer's: `n` and
/// `i` are the number; the fraction and exponent operands are zero.
fn holds(rule: &str, n: u64) -> Option<bool> {
    let condition = rule.split('@').next().unwrap_or("").trim();
    if condition.is_empty() {
        return Some(false);
    }
    let mut any = false;
    for and in condition.split(" or ") {
        let mut all = true;
        for relation in and.split(" and ") {
            all &= relation_holds(relation, n)?;
        }
        any |= all;
    }
    Some(any)
}

/// `i % 10 = 2..4`, `n != 1`, `n is not 2`, `i not in 3..5, 7`, `n within 0..2`.
fn relation_holds(text: &str, n: u64) -> Option<bool> {
    let mut words = text.split_whitespace().peekable();
    let mut value = match words.next()? {
        "n" | "i" => n,
        "v" | "w" | "f" | "t" | "c" | "e" => 0,
        _ => return None,
    };
    if matches!(words.peek(), Some(&"%" | &"mod")) {
        words.next();
        value %= words.next()?.parse::<u64>().ok().filter(|m| *m > 0)?;
    }
    let negated = match words.next()? {
        "=" | "in" | "within" => false,
        "!=" => true,
        "is" => words.next_if_eq(&"not").is_some(),
        "not" => matches!(words.next()?, "in" | "within"),
        _ => return None,
    };
    let mut found = false;
    let rest: String = words.collect();
    for range in rest.split(',') {
        let (lo, hi) = range.split_once("..").unwrap_or((range, range));
        let (lo, hi) = (lo.parse::<u64>().ok()?, hi.parse::<u64>().ok()?);
        found |= (lo..=hi).contains(&value);
    }
    Some(found != negated)
}

/// `tag` in canonical case (`pt-br` → `pt-BR`, `zh_hans` → `zh-Hans`), or `None` if it is
/// not a well-formed BCP 47 tag of letters and digits.
pub fn canonical(tag: &str) -> Option<String> {
    let mut out = String::new();
    for (i, part) in tag.split(['-', '_']).enumerate() {
        let letters = part.bytes().all(|b| b.is_ascii_alphabetic());
        if part.is_empty() || part.len() > 8 || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        match (i, part.len()) {
            (0, 2..=3) if letters => out.push_str(&part.to_ascii_lowercase()),
            (0, _) => return None,
            (_, 4) if letters => {
                out.push('-');
                out.push_str(&part[..1].to_ascii_uppercase());
                out.push_str(&part[1..].to_ascii_lowercase());
            }
            (_, 2) => {
                out.push('-');
                out.push_str(&part.to_ascii_uppercase());
            }
            _ => {
                out.push('-');
                out.push_str(&part.to_ascii_lowercase());
            }
        }
    }
    Some(out)
}

/// The known locales `tag` may use, most specific first, without English.
fn chain(tag: &str) -> Vec<String> {
    let Some(tag) = canonical(tag) else { return Vec::new() };
    let added: Vec<String> = READ.read().map(|r| r.iter().map(|(n, _)| n.clone()).collect()).unwrap_or_default();
    let mut found: Vec<String> = Vec::new();
    let mut candidate = tag.as_str();
    loop {
        let target = ALIASES.iter().find(|(alias, _)| *alias == candidate).map_or(candidate, |(_, to)| *to);
        let known = LOCALES.contains(&target) || added.iter().any(|a| a == target);
        if target != "en" && known && !found.iter().any(|f| f == target) {
            found.push(target.to_owned());
        }
        match candidate.rfind('-') {
            Some(cut) => candidate = &candidate[..cut],
            None => break,
        }
    }
    found
}

/// The shipped locale a tag falls back to along its parents (`pt-BR` → `pt-BR`,
/// `de-AT` → `de`, `zh-CN` → `zh-Hans`, `xx` → `en`); a locale added with [`add_locale`]
/// counts as shipped.
pub fn resolve_locale(tag: &str) -> String {
    chain(tag).into_iter().next().unwrap_or_else(|| "en".to_owned())
}

/// The shipped locales' tags.
pub fn locales() -> Vec<String> {
    LOCALES.iter().map(|t| (*t).to_owned()).collect()
}

/// `ltr` or `rtl`: the direction a page in `tag` is written in (a form sets `dir` from it).
pub fn direction(tag: &str) -> String {
    let locale = chain(tag).iter().find_map(|t| find(t)).unwrap_or_else(english);
    locale.0["direction"].as_str().unwrap_or("ltr").to_owned()
}

/// Adds a locale from its catalogue file (what `loadLocale` fetched), replacing one of the
/// same tag, and returns its tag; refuses a file that is not a locale of the catalogue.
pub fn add_locale(catalogue_file: &str) -> Result<String, String> {
    let locale = Locale::parse(catalogue_file)?;
    let tag = locale.tag().to_owned();
    remember(tag.clone(), locale);
    Ok(tag)
}

/// Whether `tag`'s own catalogue is in this build or added (not only English to fall to).
pub fn has_locale(tag: &str) -> bool {
    chain(tag).first().is_some_and(|t| find(t).is_some())
}

/// Whether the catalogue has an entry `key`: a code, or one of the server's own.
pub fn is_message(key: &str) -> bool {
    Code::ALL.iter().any(|c| c.as_str() == key) || SERVER_MESSAGES.contains(&key)
}

/// Entries of the catalogue that are not violation codes: the server's own answers.
pub(crate) const SERVER_MESSAGES: &[&str] = &["signup_accepted", "signup_rate_limited"];

/// A caller's own wording: per code, and per field path per code, checked.
#[derive(Debug, Default)]
pub struct Messages(Map<String, Value>);

impl Messages {
    /// Reads `{ "invalid_email": "…", "customer.email": { "invalid_email": "…" } }`.
    pub fn from_json(value: &Value) -> Result<Messages, String> {
        let object = value.as_object().ok_or("must be an object of templates")?;
        let check = |key: &str, code: &str, template: &Value| -> Result<(), String> {
            if !is_message(code) {
                return Err(["\"", code, "\" is not a code"].concat());
            }
            let text = template.as_str().ok_or_else(|| [key, ": a template is a string"].concat())?;
            template::check(text, english()).map_err(|e| [key, ": ", e].concat())
        };
        let mut checked = Map::new();
        for (key, entry) in object {
            match entry {
                Value::Object(codes) => {
                    let field =
                        Path::parse(key).ok_or_else(|| [key, " is neither a code nor a field path"].concat())?;
                    for (code, template) in codes {
                        check(key, code, template)?;
                    }
                    checked.insert(field.to_string(), entry.clone());
                }
                _ => {
                    check(key, key, entry)?;
                    checked.insert(key.clone(), entry.clone());
                }
            }
        }
        Ok(Messages(checked))
    }

    fn template(&self, code: &str, path: &Path) -> Option<&str> {
        let field = self.0.get(&path.to_string()).and_then(|m| m.get(code)).and_then(Value::as_str);
        field.or_else(|| self.0.get(code).and_then(Value::as_str))
    }
}

/// How one call words its messages: a locale and the caller's overrides.
#[derive(Clone, Debug, Default)]
pub(crate) struct Wording {
    pub(crate) locale: Option<String>,
    pub(crate) overrides: Option<std::sync::Arc<Messages>>,
}

impl Wording {
    /// Whether the wording is the built-in English one.
    pub(crate) fn is_english(&self) -> bool {
        self.locale.is_none() && self.overrides.is_none()
    }

    /// The message for `key` (a code or a server entry) at `path`.
    pub(crate) fn render(&self, key: &str, params: &Params, path: &Path) -> String {
        let mut locales: Vec<&'static Locale> = match &self.locale {
            Some(tag) => chain(tag).iter().filter_map(|t| find(t)).collect(),
            None => Vec::new(),
        };
        locales.push(english());
        let mut out = String::new();
        if let Some(template) = self.overrides.as_ref().and_then(|o| o.template(key, path)) {
            if template::render(template, params, locales[0], &mut out).is_ok() {
                return out;
            }
        }
        for locale in locales {
            if let Some(template) = locale.message(key) {
                out.clear();
                if template::render(template, params, locale, &mut out).is_ok() {
                    return out;
                }
            }
        }
        key.to_owned()
    }
}

/// The English sentence for `key`.
pub(crate) fn english_message(key: &str, params: &Params) -> String {
    let english = english();
    let mut out = String::new();
    match english.message(key) {
        Some(template) if template::render(template, params, english, &mut out).is_ok() => out,
        _ => key.to_owned(),
    }
}

/// The English sentence for `code`, whose template is found by the code's place in
/// [`Code::ALL`] rather than by two map lookups: every violation is worded this way.
pub(crate) fn english_code_message(code: Code, params: &Params) -> String {
    static TEMPLATES: std::sync::OnceLock<Vec<Option<&'static str>>> = std::sync::OnceLock::new();
    let english = english();
    let templates = TEMPLATES.get_or_init(|| Code::ALL.iter().map(|c| english.message(c.as_str())).collect());
    let mut out = String::new();
    match templates.get(code as usize).copied().flatten() {
        Some(template) if template::render(template, params, english, &mut out).is_ok() => out,
        _ => code.as_str().to_owned(),
    }
}

/// A template of an English file of the APIs, rendered; `None` if it has no `key`.
fn english_of(file: &Locale, section: &str, key: &str, params: &Params) -> Option<String> {
    let template = file.0[section][key].as_str()?;
    let mut out = String::new();
    template::render(template, params, english(), &mut out).ok()?;
    Some(out)
}

/// The Store API's English fragment for `key` (`is not a valid email address`).
pub(crate) fn api_fragment(key: &str, params: &Params) -> String {
    let file = english_file("#api", include_str!("api.json"));
    english_of(file, "store_api", key, params).unwrap_or_else(|| english_message(key, params))
}

/// An English error for a developer (a bad option), from `developer.json`.
pub(crate) fn developer(key: &str, params: &[(&str, &str)]) -> String {
    let params: Params = params.iter().map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned()))).collect();
    let file = english_file("#developer", include_str!("developer.json"));
    english_of(file, "developer", key, &params).unwrap_or_else(|| key.to_owned())
}

#[cfg(test)]
mod catalogue_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_tags() {
        assert_eq!(canonical("pt-br").as_deref(), Some("pt-BR"));
        assert_eq!(canonical("ZH_hans_cn").as_deref(), Some("zh-Hans-CN"));
        assert_eq!(canonical("de"), Some("de".into()));
        for bad in ["", "d", "de-", "1e", "de--AT", "de AT", "x-ünï"] {
            assert_eq!(canonical(bad), None, "{bad}");
        }
    }

    #[test]
    fn fallback_along_parents() {
        assert_eq!(resolve_locale("pt-BR"), "pt-BR");
        assert_eq!(resolve_locale("pt-AO"), "pt");
        assert_eq!(resolve_locale("de-AT"), "de");
        assert_eq!(resolve_locale("zh-CN"), "zh-Hans");
        assert_eq!(resolve_locale("zh-Hans-SG"), "zh-Hans");
        assert_eq!(resolve_locale("ko"), "en");
        assert_eq!(resolve_locale("not a tag"), "en");
    }

    fn integer(tag: &str, n: u64, grouping: bool) -> String {
        let mut out = String::new();
        find(tag).unwrap().write_integer(n, grouping, &mut out);
        out
    }

    #[test]
    fn grouping_follows_cldr() {
        assert_eq!(integer("pl", 5000, true), "5000");
        assert_eq!(integer("pl", 16384, true), "16\u{a0}384");
        assert_eq!(integer("de", 1900, false), "1900");
        assert_eq!(integer("de", 16384, true), "16.384");
        assert_eq!(integer("en", 1234567, true), "1,234,567");
    }

    #[test]
    fn cldr_plural_rules_of_polish_and_arabic() {
        let pl = find("pl").unwrap();
        let got: Vec<&str> = [1, 2, 4, 5, 12, 22, 254, 300, 1000].iter().map(|&n| pl.plural_category(n)).collect();
        assert_eq!(got, ["one", "few", "few", "many", "many", "few", "few", "many", "many"]);
        let ar = find("ar").unwrap();
        let got: Vec<&str> =
            [0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111].iter().map(|&n| ar.plural_category(n)).collect();
        assert_eq!(got, ["zero", "one", "two", "few", "few", "many", "many", "other", "other", "few", "many"]);
        for bad in ["i = ", "q = 1", "n % x = 1", "n = 1..", "n <> 1"] {
            assert_eq!(holds(bad, 1), None, "{bad}");
        }
    }

    #[test]
    fn polish_and_arabic_plurals_in_messages() {
        let render = |tag: &str, max: u64| {
            let wording = Wording { locale: Some(tag.into()), overrides: None };
            wording.render("too_long", &Params::from_iter([("max".to_owned(), Value::from(max))]), &Path::root())
        };
        assert!(render("pl", 254).contains("254 znaki"), "{}", render("pl", 254));
        assert!(render("pl", 300).contains("300 znaków"), "{}", render("pl", 300));
        // Arabic words 1, 2, 3, 11 and 100 characters with five different forms.
        let arabic: std::collections::BTreeSet<String> =
            [1, 2, 3, 11, 100].iter().map(|&n| render("ar", n).replace(|c: char| c.is_ascii_digit(), "")).collect();
        assert_eq!(arabic.len(), 5, "{arabic:?}");
    }
}
