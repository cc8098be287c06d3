//! Message templates: the subset of ICU MessageFormat the catalogue and callers' overrides
//! use. `{max}` is a parameter; `{max, plural, one {# character} other {# characters}}`
//! picks the CLDR plural form (`=0` matches exactly, `#` is the number);
//! `{reason, select, dots {…} other {…}}` picks by a text parameter, with an `absent` case
//! for a parameter the violation lacks; `{min, number, ::group-off}` writes a number
//! without grouping (a year). An apostrophe is a plain character, not ICU's escape: French
//! and Italian write one in every other word.
//!
//! A template is interpreted as it is read, never kept as a tree: the browser build pays
//! for this code on every page, and one reader that checks, skips and writes is the
//! smallest (checking is reading with nothing written).

use serde_json::Value;

use super::Locale;
use crate::Params;

/// Writes `template` for `params` in `locale` into `out`, or says where it is malformed.
pub(crate) fn render(template: &str, params: &Params, locale: &Locale, out: &mut String) -> Result<(), &'static str> {
    let mut reader = Reader { text: template, at: 0, params, locale };
    reader.nodes(None, Some(out))?;
    match reader.at < template.len() {
        true => Err("a } closes nothing"),
        false => Ok(()),
    }
}

/// Whether `template` is well formed (read with nothing written), or what is wrong with it.
pub(crate) fn check(template: &str, locale: &Locale) -> Result<(), &'static str> {
    let mut reader = Reader { text: template, at: 0, params: &Params::new(), locale };
    reader.nodes(None, None)?;
    match reader.at < template.len() {
        true => Err("a } closes nothing"),
        false => Ok(()),
    }
}

// Errors are fixed sentences, not formatted ones: formatting code would weigh on the
// browser build, and a template is short enough to find the mistake in.
struct Reader<'a> {
    text: &'a str,
    at: usize,
    params: &'a Params,
    locale: &'a Locale,
}

/// Inside a `plural` case: the number `#` stands for (`None` if the parameter is absent).
type Hash = Option<Option<u64>>;

impl Reader<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    /// Text, `#` and placeholders up to a `}` or the end; written when `out` is given.
    fn nodes(&mut self, hash: Hash, mut out: Option<&mut String>) -> Result<(), &'static str> {
        loop {
            // Plain text up to the next character that means something, copied in one go.
            let rest = &self.text[self.at..];
            let special = |c: char| c == '{' || c == '}' || (c == '#' && hash.is_some());
            let run = rest.find(special).unwrap_or(rest.len());
            if let Some(out) = out.as_deref_mut() {
                out.push_str(&rest[..run]);
            }
            self.at += run;
            match self.peek() {
                None | Some('}') => return Ok(()),
                Some('{') => {
                    self.at += 1;
                    self.placeholder(hash, out.as_deref_mut())?;
                }
                Some(_) => {
                    // `#` in a plural case: the number.
                    self.at += 1;
                    if let (Some(out), Some(Some(n))) = (out.as_deref_mut(), hash) {
                        self.locale.write_integer(n, true, out);
                    }
                }
            }
        }
    }

    /// A word: letters, digits and `_ - : =` (names, types, case keys, styles).
    fn word(&mut self) -> &str {
        let skip_space = |r: &mut Self| {
            while r.peek().is_some_and(char::is_whitespace) {
                r.at += 1;
            }
        };
        skip_space(self);
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || "_-:=".contains(c)) {
            self.at += 1;
        }
        let end = self.at;
        skip_space(self);
        &self.text[start..end]
    }

    fn expect(&mut self, c: char) -> Result<(), &'static str> {
        match self.peek() == Some(c) {
            true => {
                self.at += 1;
                Ok(())
            }
            false => Err("a placeholder is { name }, { name, number, ::group-off } or { name, plural|select, key {…} … other {…} }"),
        }
    }

    /// After a `{`: `name}`, `name, number, ::group-off}`, `name, plural, …}`, `name, select, …}`.
    fn placeholder(&mut self, hash: Hash, out: Option<&mut String>) -> Result<(), &'static str> {
        let name = self.word().to_owned();
        if name.is_empty() {
            return Err("a placeholder needs a parameter name");
        }
        let value = self.params.get(&name);
        #[cfg(test)]
        tests::note_param(&name);
        if self.peek() == Some('}') {
            self.at += 1;
            if let (Some(out), Some(value)) = (out, value) {
                self.write_value(value, true, out);
            }
            return Ok(());
        }
        self.expect(',')?;
        let kind = self.word().to_owned();
        self.expect(',')?;
        if kind == "number" {
            if self.word() != "::group-off" {
                return Err("the only number style is ::group-off");
            }
            self.expect('}')?;
            if let (Some(out), Some(value)) = (out, value) {
                self.write_value(value, false, out);
            }
            return Ok(());
        }
        let plural = match kind.as_str() {
            "plural" => true,
            "select" => false,
            _ => return Err("a placeholder's type is plural, select or number"),
        };
        let number = value.and_then(Value::as_u64);
        let inner: Hash = if plural { Some(number) } else { hash };
        // Read every case (writing none), noting where the chosen one starts: an exact
        // `=N` beats a category, a named case beats `other`.
        let wanted = match (plural, value) {
            (true, _) => number.map_or("other", |n| self.locale.plural_category(n)).to_owned(),
            (false, None | Some(Value::Null)) => "absent".to_owned(),
            (false, Some(Value::String(s))) => s.clone(),
            (false, Some(other)) => other.to_string(),
        };
        let exact = number.map(|n| ["=", &n.to_string()].concat());
        let (mut chosen, mut fallback, mut rank) = (None, None, 0);
        loop {
            let key = self.word().to_owned();
            if key.is_empty() {
                break;
            }
            if plural
                && !key.starts_with('=')
                && !["zero", "one", "two", "few", "many", "other"].contains(&key.as_str())
            {
                return Err("a plural case is =N, zero, one, two, few, many or other");
            }
            #[cfg(test)]
            tests::note_case(plural, &key);
            self.expect('{')?;
            let start = self.at;
            self.nodes(inner, None)?;
            self.expect('}')?;
            if plural && exact.as_deref() == Some(key.as_str()) && rank < 2 {
                (chosen, rank) = (Some(start), 2);
            } else if key == wanted && rank < 1 {
                (chosen, rank) = (Some(start), 1);
            } else if key == "other" {
                fallback = Some(start);
            }
        }
        self.expect('}')?;
        let Some(other) = fallback.or(if wanted == "other" { chosen } else { None }) else {
            return Err("a plural or select needs an other case");
        };
        if let Some(out) = out {
            let end = self.at;
            self.at = chosen.unwrap_or(other);
            self.nodes(inner, Some(out))?;
            self.at = end;
        }
        Ok(())
    }

    fn write_value(&self, value: &Value, grouping: bool, out: &mut String) {
        match value {
            Value::String(s) => out.push_str(s),
            Value::Number(n) if n.as_u64().is_some() => {
                self.locale.write_integer(n.as_u64().unwrap_or(0), grouping, out)
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_value(item, grouping, out);
                }
            }
            other => out.push_str(&other.to_string()),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    //! What the catalogue's tests need to know of a template: its parameters and the case
    //! keys of its plurals, noted while [`check`] reads it.
    use std::cell::RefCell;
    use std::collections::BTreeSet;

    thread_local! {
        static PARAMS: RefCell<BTreeSet<String>> = RefCell::default();
        static PLURALS: RefCell<BTreeSet<String>> = RefCell::default();
    }

    pub(super) fn note_param(name: &str) {
        PARAMS.with(|p| p.borrow_mut().insert(name.to_owned()));
    }

    pub(super) fn note_case(plural: bool, key: &str) {
        if plural && !key.starts_with('=') {
            PLURALS.with(|p| p.borrow_mut().insert(key.to_owned()));
        }
    }

    /// The parameters a template reads and the plural forms it names (all its plurals).
    pub(crate) fn anatomy(template: &str, locale: &super::Locale) -> (BTreeSet<String>, BTreeSet<String>) {
        PARAMS.with(|p| p.borrow_mut().clear());
        PLURALS.with(|p| p.borrow_mut().clear());
        super::check(template, locale).unwrap_or_else(|e| panic!("{template}: {e}"));
        (PARAMS.with(|p| p.take()), PLURALS.with(|p| p.take()))
    }
}
