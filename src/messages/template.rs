//! Message templates: the subset of ICU MessageFormat the catalogue and callers' overrides
//! use. `{max}` is a parameter; `{max, plural, one {# character} other {# characters}}`
//! picks the CLDR plural form (`=0` matches exactly, `#` is the number);
//! `{reason, select, dots {…} other {…}}` picks by a text parameter, with an `absent` case
//! for a parameter the violation lacks; `{min, number, ::group-off}` writes a number
//! without grouping (a year). An apostrophe is a plain character, not ICU's escape: French
//! and Italian write it in every other word.

#[cfg(test)]
use std::collections::BTreeSet;

use serde_json::Value;

use super::Locale;
use crate::Params;

/// A parsed template.
#[derive(Debug, Clone)]
pub(crate) struct Template(Vec<Node>);

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Arg { name: String, grouping: bool },
    Hash,
    Plural { name: String, cases: Vec<(PluralKey, Vec<Node>)> },
    Select { name: String, cases: Vec<(String, Vec<Node>)> },
}

#[derive(Debug, Clone)]
enum PluralKey {
    Exact(u64),
    Category(String),
}

impl Template {
    /// Parses `text`, or says where it is malformed.
    pub(crate) fn parse(text: &str) -> Result<Template, String> {
        let chars: Vec<char> = text.chars().collect();
        let mut at = 0;
        let nodes = parse_nodes(&chars, &mut at, false)?;
        if at < chars.len() {
            return Err(format!("unmatched `}}` at character {at} of {text:?}"));
        }
        Ok(Template(nodes))
    }

    /// The names of the parameters the template reads.
    #[cfg(test)]
    pub(crate) fn params(&self) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        collect(&self.0, &mut names);
        names
    }

    /// The text for `params` in `locale`.
    pub(crate) fn render(&self, params: &Params, locale: &Locale) -> String {
        let mut out = String::new();
        render(&self.0, params, locale, None, &mut out);
        out
    }

    /// The case keys of every `plural` in the template.
    #[cfg(test)]
    pub(crate) fn plural_cases(&self) -> Vec<Vec<String>> {
        fn walk(nodes: &[Node], out: &mut Vec<Vec<String>>) {
            for node in nodes {
                match node {
                    Node::Plural { cases, .. } => {
                        out.push(
                            cases
                                .iter()
                                .map(|(k, _)| match k {
                                    PluralKey::Exact(n) => format!("={n}"),
                                    PluralKey::Category(c) => c.clone(),
                                })
                                .collect(),
                        );
                        cases.iter().for_each(|(_, n)| walk(n, out));
                    }
                    Node::Select { cases, .. } => cases.iter().for_each(|(_, n)| walk(n, out)),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.0, &mut out);
        out
    }
}

#[cfg(test)]
fn collect(nodes: &[Node], names: &mut BTreeSet<String>) {
    for node in nodes {
        match node {
            Node::Arg { name, .. } => {
                names.insert(name.clone());
            }
            Node::Plural { name, cases } => {
                names.insert(name.clone());
                cases.iter().for_each(|(_, nodes)| collect(nodes, names));
            }
            Node::Select { name, cases } => {
                names.insert(name.clone());
                cases.iter().for_each(|(_, nodes)| collect(nodes, names));
            }
            Node::Text(_) | Node::Hash => {}
        }
    }
}

fn parse_nodes(chars: &[char], at: &mut usize, in_plural: bool) -> Result<Vec<Node>, String> {
    let mut nodes = Vec::new();
    let mut text = String::new();
    while let Some(&c) = chars.get(*at) {
        match c {
            '}' => break,
            '{' => {
                if !text.is_empty() {
                    nodes.push(Node::Text(std::mem::take(&mut text)));
                }
                *at += 1;
                nodes.push(parse_placeholder(chars, at)?);
            }
            '#' if in_plural => {
                if !text.is_empty() {
                    nodes.push(Node::Text(std::mem::take(&mut text)));
                }
                nodes.push(Node::Hash);
                *at += 1;
            }
            _ => {
                text.push(c);
                *at += 1;
            }
        }
    }
    if !text.is_empty() {
        nodes.push(Node::Text(text));
    }
    Ok(nodes)
}

/// After a `{`: `name}`, `name, number, ::group-off}`, `name, plural, …}`, `name, select, …}`.
fn parse_placeholder(chars: &[char], at: &mut usize) -> Result<Node, String> {
    let word = |at: &mut usize| -> String {
        while chars.get(*at).is_some_and(|c| c.is_whitespace()) {
            *at += 1;
        }
        let start = *at;
        while chars.get(*at).is_some_and(|c| !c.is_whitespace() && !matches!(c, '{' | '}' | ',')) {
            *at += 1;
        }
        let word: String = chars[start..*at].iter().collect();
        while chars.get(*at).is_some_and(|c| c.is_whitespace()) {
            *at += 1;
        }
        word
    };
    let expect = |at: &mut usize, c: char| -> Result<(), String> {
        if chars.get(*at) == Some(&c) {
            *at += 1;
            Ok(())
        } else {
            Err(format!("expected `{c}` at character {at}"))
        }
    };
    let name = word(at);
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("a placeholder needs a parameter name, at character {at}"));
    }
    if chars.get(*at) == Some(&'}') {
        *at += 1;
        return Ok(Node::Arg { name, grouping: true });
    }
    expect(at, ',')?;
    let kind = word(at);
    match kind.as_str() {
        "number" => {
            expect(at, ',')?;
            let style = word(at);
            if style != "::group-off" {
                return Err(format!("unknown number style {style:?} (only ::group-off)"));
            }
            expect(at, '}')?;
            Ok(Node::Arg { name, grouping: false })
        }
        "plural" | "select" => {
            expect(at, ',')?;
            let mut cases = Vec::new();
            loop {
                let key = word(at);
                if key.is_empty() {
                    break;
                }
                expect(at, '{')?;
                let nodes = parse_nodes(chars, at, kind == "plural")?;
                expect(at, '}')?;
                cases.push((key, nodes));
            }
            expect(at, '}')?;
            if !cases.iter().any(|(key, _)| key == "other") {
                return Err(format!("`{{{name}, {kind}, …}}` needs an `other` case"));
            }
            if kind == "select" {
                return Ok(Node::Select { name, cases });
            }
            let cases = cases
                .into_iter()
                .map(|(key, nodes)| match key.strip_prefix('=') {
                    Some(n) => n.parse().map(|n| (PluralKey::Exact(n), nodes)).map_err(|_| format!("bad plural case {key:?}")),
                    None if ["zero", "one", "two", "few", "many", "other"].contains(&key.as_str()) => {
                        Ok((PluralKey::Category(key), nodes))
                    }
                    None => Err(format!("bad plural case {key:?}")),
                })
                .collect::<Result<_, _>>()?;
            Ok(Node::Plural { name, cases })
        }
        _ => Err(format!("unknown placeholder type {kind:?} (plural, select or number)")),
    }
}

fn render(nodes: &[Node], params: &Params, locale: &Locale, number: Option<u64>, out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Hash => {
                if let Some(n) = number {
                    out.push_str(&locale.format_integer(n, true));
                }
            }
            Node::Arg { name, grouping } => match params.get(name) {
                Some(value) => write_value(value, *grouping, locale, out),
                None => {}
            },
            Node::Plural { name, cases } => {
                let n = params.get(name).and_then(Value::as_u64);
                let category = n.map_or("other", |n| locale.plural_category(n));
                let case = cases
                    .iter()
                    .find(|(key, _)| matches!(key, PluralKey::Exact(e) if Some(*e) == n))
                    .or_else(|| cases.iter().find(|(key, _)| matches!(key, PluralKey::Category(c) if c == category)))
                    .or_else(|| cases.iter().find(|(key, _)| matches!(key, PluralKey::Category(c) if c == "other")));
                if let Some((_, nodes)) = case {
                    render(nodes, params, locale, n, out);
                }
            }
            Node::Select { name, cases } => {
                let key = match params.get(name) {
                    None | Some(Value::Null) => "absent".to_owned(),
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                };
                let case = cases.iter().find(|(k, _)| *k == key).or_else(|| cases.iter().find(|(k, _)| k == "other"));
                if let Some((_, nodes)) = case {
                    render(nodes, params, locale, number, out);
                }
            }
        }
    }
}

fn write_value(value: &Value, grouping: bool, locale: &Locale, out: &mut String) {
    match value {
        Value::String(s) => out.push_str(s),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => out.push_str(&locale.format_integer(u, grouping)),
            (None, Some(i)) => {
                out.push('-');
                out.push_str(&locale.format_integer(i.unsigned_abs(), grouping));
            }
            _ => out.push_str(&n.to_string()),
        },
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(item, grouping, locale, out);
            }
        }
        other => out.push_str(&other.to_string()),
    }
}
