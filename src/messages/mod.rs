//! The message catalogue and its one renderer, used natively, by both WASM builds and by
//! the server, so a message can't differ between them (RULES.md, "Messages and locales").
//!
//! The catalogue is data: `locales/<tag>.json` holds one template per code (see
//! [`template`]) and the locale's CLDR plural rules, digits and grouping; `api.json` holds
//! the English of the APIs themselves (the Store API's Rails-style fragments, Square's
//! `detail`, the errors a developer sees), which RULES.md keeps English. English is built
//! into every build; native and Node builds carry every locale, and the browser build
//! receives others at run time through [`add_locale`] (the package's `loadLocale`).

mod plural;
mod template;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use serde_json::{Map, Value};

use crate::{Code, Params, Path};
use plural::PluralRules;
pub(crate) use template::Template;

/// One locale of the catalogue, parsed.
#[derive(Debug)]
pub(crate) struct Locale {
    tag: String,
    direction: String,
    plural: PluralRules,
    digits: Vec<char>,
    group: String,
    min_grouping: usize,
    messages: HashMap<String, Template>,
}

impl Locale {
    fn parse(text: &str) -> Result<Locale, String> {
        let data: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let field = |name: &str| data.get(name).ok_or_else(|| format!("no `{name}`"));
        let text_of = |value: &Value, name: &str| value.as_str().map(str::to_owned).ok_or(format!("`{name}` is not a string"));
        let tag = text_of(field("tag")?, "tag")?;
        if canonical(&tag).as_deref() != Some(tag.as_str()) {
            return Err(format!("`tag` {tag:?} is not a canonical BCP 47 tag"));
        }
        let direction = text_of(field("direction")?, "direction")?;
        if direction != "ltr" && direction != "rtl" {
            return Err("`direction` is ltr or rtl".into());
        }
        let cldr = field("cldr")?;
        let number = |name: &str| cldr.get(name).ok_or_else(|| format!("no `cldr.{name}`"));
        let rules = number("plural")?.as_object().ok_or("`cldr.plural` is not an object")?;
        let rules = rules
            .iter()
            .map(|(category, rule)| Ok((category.as_str(), rule.as_str().ok_or("a plural rule is not a string")?)))
            .collect::<Result<Vec<_>, String>>()?;
        let plural = PluralRules::parse(rules)?;
        let digits: Vec<char> = text_of(number("digits")?, "cldr.digits")?.chars().collect();
        if digits.len() != 10 {
            return Err("`cldr.digits` needs ten digits".into());
        }
        let group = text_of(number("group")?, "cldr.group")?;
        let min_grouping = number("minimumGroupingDigits")?.as_u64().ok_or("`cldr.minimumGroupingDigits` is not a number")?;
        let messages = templates(field("messages")?)?;
        Ok(Locale { tag, direction, plural, digits, group, min_grouping: min_grouping as usize, messages })
    }

    /// `n` in the locale's digits, grouped by thousands where the locale groups a number
    /// that long (CLDR's minimum grouping digits: Polish writes `5000` but `16 384`).
    pub(crate) fn format_integer(&self, n: u64, grouping: bool) -> String {
        let plain = n.to_string();
        let grouped = grouping && plain.len() >= 3 + self.min_grouping.max(1);
        let mut out = String::new();
        for (i, d) in plain.bytes().enumerate() {
            let left = plain.len() - i;
            if grouped && i > 0 && left % 3 == 0 {
                out.push_str(&self.group);
            }
            out.push(self.digits[usize::from(d - b'0')]);
        }
        out
    }

    pub(crate) fn plural_category(&self, n: u64) -> &str {
        self.plural.category(n)
    }
}

fn templates(value: &Value) -> Result<HashMap<String, Template>, String> {
    let object = value.as_object().ok_or("`messages` is not an object")?;
    object
        .iter()
        .map(|(key, text)| {
            let text = text.as_str().ok_or_else(|| format!("message {key:?} is not a string"))?;
            Template::parse(text).map(|t| (key.clone(), t)).map_err(|e| format!("message {key:?}: {e}"))
        })
        .collect()
}

/// The shipped locales and the tags that stand for them (`zh` → `zh-Hans`).
const INDEX: &str = include_str!("locales/index.json");

struct Index {
    locales: Vec<String>,
    aliases: HashMap<String, String>,
}

fn index() -> &'static Index {
    static INDEX_DATA: OnceLock<Index> = OnceLock::new();
    INDEX_DATA.get_or_init(|| {
        let data: Value = serde_json::from_str(INDEX).unwrap_or_default();
        let strings = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array).map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect()).unwrap_or_default()
        };
        let aliases = data
            .get("aliases")
            .and_then(Value::as_object)
            .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
            .unwrap_or_default();
        Index { locales: strings(data.get("locales")), aliases }
    })
}

/// The catalogue files compiled into this build: English always; every locale natively
/// and in the Node build (`all-locales`), where the bytes cost nothing on the wire.
fn builtin(tag: &str) -> Option<&'static str> {
    macro_rules! files {
        ($($tag:literal),*) => {
            match tag {
                "en" => Some(include_str!("locales/en.json")),
                #[cfg(any(not(target_arch = "wasm32"), feature = "all-locales"))]
                $($tag => Some(include_str!(concat!("locales/", $tag, ".json"))),)*
                _ => None,
            }
        };
    }
    files!("ar", "de", "es", "fr", "it", "ja", "nl", "pl", "pt", "pt-BR", "sv", "tr", "zh-Hans")
}

fn loaded() -> &'static RwLock<HashMap<String, &'static Locale>> {
    static LOADED: OnceLock<RwLock<HashMap<String, &'static Locale>>> = OnceLock::new();
    LOADED.get_or_init(Default::default)
}

/// The parsed locale `tag` if this build has it or it was added, parsing it on first use.
fn find(tag: &str) -> Option<&'static Locale> {
    if let Some(locale) = loaded().read().ok()?.get(tag) {
        return Some(locale);
    }
    let locale = Locale::parse(builtin(tag)?).ok()?;
    Some(remember(locale))
}

fn remember(locale: Locale) -> &'static Locale {
    // A locale lives as long as the program: a handful, each parsed once.
    let locale: &'static Locale = Box::leak(Box::new(locale));
    if let Ok(mut map) = loaded().write() {
        map.insert(locale.tag.clone(), locale);
    }
    locale
}

pub(crate) fn english() -> &'static Locale {
    static ENGLISH: OnceLock<&'static Locale> = OnceLock::new();
    // The built-in English file is tested (tests/messages.rs); should it ever fail to read,
    // the message falls back to the code itself rather than a panic.
    ENGLISH.get_or_init(|| {
        find("en").unwrap_or_else(|| {
            Box::leak(Box::new(Locale {
                tag: "en".into(),
                direction: "ltr".into(),
                plural: PluralRules::parse([]).unwrap_or_else(|_| unreachable!()),
                digits: "0123456789".chars().collect(),
                group: ",".into(),
                min_grouping: 1,
                messages: HashMap::new(),
            }))
        })
    })
}

/// `tag` in canonical case (`pt-br` → `pt-BR`, `zh_hans` → `zh-Hans`), or `None` if it is
/// not a well-formed BCP 47 tag of letters and digits.
pub fn canonical(tag: &str) -> Option<String> {
    let mut out = Vec::new();
    for (i, part) in tag.split(['-', '_']).enumerate() {
        if part.is_empty() || part.len() > 8 || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let part = match (i, part.len()) {
            (0, 2..=3) if part.bytes().all(|b| b.is_ascii_alphabetic()) => part.to_ascii_lowercase(),
            (0, _) => return None,
            (_, 4) if part.bytes().all(|b| b.is_ascii_alphabetic()) => {
                let lower = part.to_ascii_lowercase();
                lower[..1].to_ascii_uppercase() + &lower[1..]
            }
            (_, 2) => part.to_ascii_uppercase(),
            _ => part.to_ascii_lowercase(),
        };
        out.push(part);
    }
    Some(out.join("-"))
}

/// The shipped locale a tag falls back to along its parents (`pt-BR` → `pt-BR`,
/// `de-AT` → `de`, `zh-CN` → `zh-Hans`, `xx` → `en`); a locale added with [`add_locale`]
/// counts as shipped.
pub fn resolve_locale(tag: &str) -> String {
    chain(tag).into_iter().next().unwrap_or_else(|| "en".to_owned())
}

/// The known locales `tag` may use, most specific first, without English.
fn chain(tag: &str) -> Vec<String> {
    let Some(tag) = canonical(tag) else { return Vec::new() };
    let index = index();
    let added = loaded().read().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
    let mut parts: Vec<&str> = tag.split('-').collect();
    let mut found = Vec::new();
    while !parts.is_empty() {
        let candidate = parts.join("-");
        let target = index.aliases.get(&candidate).cloned().unwrap_or(candidate);
        if target != "en" && (index.locales.contains(&target) || added.contains(&target)) && !found.contains(&target) {
            found.push(target);
        }
        parts.pop();
    }
    found
}

/// The shipped locales' tags.
pub fn locales() -> Vec<String> {
    index().locales.clone()
}

/// `ltr` or `rtl`: the direction a page in `tag` is written in (a form sets `dir` from it).
pub fn direction(tag: &str) -> String {
    for candidate in chain(tag) {
        if let Some(locale) = find(&candidate) {
            return locale.direction.clone();
        }
    }
    english().direction.clone()
}

/// Adds a locale from its catalogue file (what `loadLocale` fetched), replacing one of the
/// same tag, and returns its tag; refuses a file that is not a locale of the catalogue.
pub fn add_locale(catalogue_file: &str) -> Result<String, String> {
    let locale = Locale::parse(catalogue_file)?;
    Ok(remember(locale).tag.clone())
}

/// Whether `tag`'s own catalogue is in this build or added (not only English to fall to).
pub fn has_locale(tag: &str) -> bool {
    chain(tag).first().is_some_and(|t| find(t).is_some())
}

/// A caller's own wording: per code, and per field path per code.
#[derive(Debug, Default)]
pub struct Messages {
    by_code: HashMap<String, Template>,
    by_field: HashMap<String, HashMap<String, Template>>,
}

impl Messages {
    /// Reads `{ "invalid_email": "…", "customer.email": { "invalid_email": "…" } }`.
    pub fn from_json(value: &Value) -> Result<Messages, String> {
        let object = value.as_object().ok_or("must be an object of templates")?;
        let mut messages = Messages::default();
        for (key, entry) in object {
            match entry {
                Value::String(text) => {
                    let code = known_code(key)?;
                    let template = Template::parse(text).map_err(|e| format!("{key:?}: {e}"))?;
                    messages.by_code.insert(code, template);
                }
                Value::Object(codes) => {
                    let field = Path::parse(key).ok_or_else(|| format!("{key:?} is neither a code nor a field path"))?;
                    let mut by_code = HashMap::new();
                    for (code, text) in codes {
                        let code = known_code(code)?;
                        let text = text.as_str().ok_or_else(|| format!("{key:?}.{code}: a template is a string"))?;
                        by_code.insert(code.clone(), Template::parse(text).map_err(|e| format!("{key:?}.{code}: {e}"))?);
                    }
                    messages.by_field.insert(field.to_string(), by_code);
                }
                _ => return Err(format!("{key:?}: a template is a string, a field's templates an object")),
            }
        }
        Ok(messages)
    }

    fn template(&self, code: &str, path: &Path) -> Option<&Template> {
        if !self.by_field.is_empty() {
            if let Some(t) = self.by_field.get(&path.to_string()).and_then(|m| m.get(code)) {
                return Some(t);
            }
        }
        self.by_code.get(code)
    }
}

fn known_code(text: &str) -> Result<String, String> {
    match Code::from_str_opt(text) {
        Some(code) => Ok(code.as_str().to_owned()),
        None if SERVER_MESSAGES.contains(&text) => Ok(text.to_owned()),
        None => Err(format!("{text:?} is not a code")),
    }
}

/// Entries of the catalogue that are not violation codes: the server's own answers.
pub(crate) const SERVER_MESSAGES: &[&str] = &["signup_rate_limited"];

/// How one call words its messages: a locale and the caller's overrides.
#[derive(Clone, Debug, Default)]
pub(crate) struct Wording {
    pub(crate) locale: Option<String>,
    pub(crate) overrides: Option<Arc<Messages>>,
}

impl Wording {
    /// Whether the wording is the built-in English one.
    pub(crate) fn is_english(&self) -> bool {
        self.locale.is_none() && self.overrides.is_none()
    }

    /// The message for `key` (a code or a server entry) at `path`.
    pub(crate) fn render(&self, key: &str, params: &Params, path: &Path) -> String {
        let locales: Vec<&'static Locale> = match &self.locale {
            Some(tag) => chain(tag).iter().filter_map(|t| find(t)).collect(),
            None => Vec::new(),
        };
        let first = locales.first().copied().unwrap_or_else(english);
        if let Some(template) = self.overrides.as_ref().and_then(|o| o.template(key, path)) {
            return template.render(params, first);
        }
        for locale in locales.iter().copied().chain([english()]) {
            if let Some(template) = locale.messages.get(key) {
                return template.render(params, locale);
            }
        }
        key.to_owned()
    }
}

/// The English sentence for `key`.
pub(crate) fn english_message(key: &str, params: &Params) -> String {
    Wording::default().render(key, params, &Path::root())
}

/// The English of the APIs: the Store API's fragments and the developer's errors.
const API: &str = include_str!("api.json");

fn api_section(section: &str) -> &'static HashMap<String, Template> {
    static SECTIONS: OnceLock<HashMap<String, HashMap<String, Template>>> = OnceLock::new();
    static EMPTY: OnceLock<HashMap<String, Template>> = OnceLock::new();
    let sections = SECTIONS.get_or_init(|| {
        let data: Map<String, Value> = serde_json::from_str(API).unwrap_or_default();
        data.iter().filter_map(|(name, v)| Some((name.clone(), templates(v).ok()?))).collect()
    });
    sections.get(section).unwrap_or_else(|| EMPTY.get_or_init(HashMap::new))
}

/// The Store API's English fragment for `key` (`is not a valid email address`).
pub(crate) fn api_fragment(key: &str, params: &Params) -> String {
    match api_section("store_api").get(key) {
        Some(t) => t.render(params, english()),
        None => english_message(key, params),
    }
}

/// An English error for a developer (a bad option), from `api.json`'s `developer` section.
pub(crate) fn developer(key: &str, params: &[(&str, &str)]) -> String {
    let params: Params = params.iter().map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned()))).collect();
    match api_section("developer").get(key) {
        Some(t) => t.render(&params, english()),
        None => key.to_owned(),
    }
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

    #[test]
    fn grouping_follows_cldr() {
        let pl = find("pl").unwrap();
        assert_eq!(pl.format_integer(5000, true), "5000");
        assert_eq!(pl.format_integer(16384, true), "16\u{a0}384");
        let de = find("de").unwrap();
        assert_eq!(de.format_integer(1900, false), "1900");
        assert_eq!(de.format_integer(16384, true), "16.384");
        assert_eq!(english().format_integer(1234567, true), "1,234,567");
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
