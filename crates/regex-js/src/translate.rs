//! Rust regex syntax (as regex-lite accepts it) into a JavaScript `RegExp` source for the
//! `u` flag, which is strict: an escape JavaScript doesn't know is a syntax error there, so
//! everything is spelled the way both engines read alike, and whatever has no faithful
//! translation is refused with an error instead of matching something else.

/// A pattern ready for `new RegExp(source, flags)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Translated {
    pub(crate) source: String,
    /// Only `i` can come from the pattern; `u` (and `g`/`d` for searching) are added by the caller.
    pub(crate) case_insensitive: bool,
    /// Capture group names by index (index 0, the whole match, has none).
    pub(crate) names: Vec<Option<String>>,
}

/// `\s` in regex-lite is ASCII only; JavaScript's also takes NBSP, U+2028, U+FEFF and others.
const ASCII_SPACE: &str = r"\t\n\v\f\r ";

/// Characters JavaScript lets a `u`-mode pattern escape with a backslash (outside classes).
fn js_syntax_char(c: char) -> bool {
    matches!(c, '^' | '$' | '\\' | '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '/')
}

pub(crate) fn translate(pattern: &str) -> Result<Translated, String> {
    let mut out =
        Translated { source: String::with_capacity(pattern.len() + 8), case_insensitive: false, names: vec![None] };
    let mut dot_all = false;
    let mut rest = pattern;
    // Flags can't change midway through a JavaScript pattern (no `(?i:...)` in Node 20), so only
    // a leading group applies, to the whole pattern, as it does in Rust.
    if let Some(after) = rest.strip_prefix("(?") {
        if let Some(end) = after.find(')') {
            let flags = &after[..end];
            if !flags.is_empty() && flags.chars().all(|c| c.is_ascii_alphabetic()) {
                for f in flags.chars() {
                    match f {
                        'i' => out.case_insensitive = true,
                        's' => dot_all = true,
                        _ => return Err(format!("flag `{f}` is not supported")),
                    }
                }
                rest = &after[end + 1..];
            }
        }
    }
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => escape(&mut chars, false, &mut out.source)?,
            '.' => out.source.push_str(if dot_all { "[^]" } else { "[^\\n]" }),
            '[' => class(&mut chars, &mut out.source)?,
            '(' => {
                if chars.peek() != Some(&'?') {
                    out.names.push(None);
                    out.source.push('(');
                    continue;
                }
                chars.next();
                match chars.next() {
                    Some(':') => out.source.push_str("(?:"),
                    Some('P') if chars.peek() == Some(&'<') => {
                        chars.next();
                        group_name(&mut chars, &mut out)?;
                    }
                    Some('<') => group_name(&mut chars, &mut out)?,
                    _ => return Err("only `(?:`, `(?P<name>` and leading flags are supported".into()),
                }
            }
            _ => out.source.push(c),
        }
    }
    Ok(out)
}

fn group_name(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, out: &mut Translated) -> Result<(), String> {
    let mut name = String::new();
    loop {
        match chars.next() {
            Some('>') => break,
            Some(c) if c.is_ascii_alphanumeric() || c == '_' => name.push(c),
            _ => return Err("invalid capture group name".into()),
        }
    }
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("invalid capture group name".into());
    }
    if out.names.iter().flatten().any(|n| *n == name) {
        return Err(format!("duplicate capture group name `{name}`"));
    }
    out.source.push_str("(?<");
    out.source.push_str(&name);
    out.source.push('>');
    out.names.push(Some(name));
    Ok(())
}

fn class(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, out: &mut String) -> Result<(), String> {
    out.push('[');
    if chars.peek() == Some(&'^') {
        chars.next();
        out.push('^');
    }
    // Rust reads a `]` right after `[` or `[^` as a literal; JavaScript as an empty class.
    if chars.peek() == Some(&']') {
        chars.next();
        out.push_str("\\]");
    }
    let mut prev = '\0';
    loop {
        let Some(c) = chars.next() else { return Err("unclosed character class".into()) };
        match c {
            ']' => {
                out.push(']');
                return Ok(());
            }
            '\\' => escape(chars, true, out)?,
            '[' => return Err("nested or POSIX classes are not supported".into()),
            '&' | '~' | '-' if prev == c => return Err("class set operations are not supported".into()),
            _ => out.push(c),
        }
        prev = c;
    }
}

fn hex_digits(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize) -> Result<u32, String> {
    let mut v = 0u32;
    for _ in 0..n {
        let d = chars.next().and_then(|c| c.to_digit(16)).ok_or("invalid hex escape")?;
        v = v * 16 + d;
    }
    Ok(v)
}

fn braced_hex(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<u32, String> {
    let mut v = 0u32;
    let mut any = false;
    loop {
        match chars.next() {
            Some('}') if any => return Ok(v),
            Some(c) if c.is_ascii_hexdigit() && v <= 0x10FFFF => {
                v = v * 16 + c.to_digit(16).unwrap_or(0);
                any = true;
            }
            _ => return Err("invalid hex escape".into()),
        }
    }
}

fn push_code_point(v: u32, out: &mut String) -> Result<(), String> {
    let c = char::from_u32(v).ok_or("escape is not a Unicode scalar value")?;
    out.push_str(&format!("\\u{{{:X}}}", c as u32));
    Ok(())
}

fn escape(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    in_class: bool,
    out: &mut String,
) -> Result<(), String> {
    let Some(c) = chars.next() else { return Err("pattern ends with a backslash".into()) };
    match c {
        'd' | 'D' | 'w' | 'W' | 't' | 'n' | 'r' | 'f' | 'v' => {
            out.push('\\');
            out.push(c);
        }
        'b' | 'B' if !in_class => {
            if chars.peek() == Some(&'{') {
                return Err("special word boundaries are not supported".into());
            }
            out.push('\\');
            out.push(c);
        }
        's' if in_class => out.push_str(ASCII_SPACE),
        's' => {
            out.push('[');
            out.push_str(ASCII_SPACE);
            out.push(']');
        }
        'S' if !in_class => {
            out.push_str("[^");
            out.push_str(ASCII_SPACE);
            out.push(']');
        }
        'A' if !in_class => out.push('^'),
        'z' if !in_class => out.push('$'),
        'a' => out.push_str("\\x07"),
        'e' => out.push_str("\\x1B"),
        'x' if chars.peek() == Some(&'{') => {
            chars.next();
            push_code_point(braced_hex(chars)?, out)?;
        }
        'x' => push_code_point(hex_digits(chars, 2)?, out)?,
        'u' | 'U' if chars.peek() == Some(&'{') => {
            chars.next();
            push_code_point(braced_hex(chars)?, out)?;
        }
        'u' => push_code_point(hex_digits(chars, 4)?, out)?,
        'U' => push_code_point(hex_digits(chars, 8)?, out)?,
        c if c.is_ascii_punctuation() && !matches!(c, '<' | '>') => {
            if js_syntax_char(c) || (in_class && c == '-') {
                out.push('\\');
                out.push(c);
            } else {
                // e.g. `\~`, `\#`, `\-` outside a class: legal in Rust, a syntax error in `u` mode.
                out.push_str(&format!("\\x{:02X}", c as u32));
            }
        }
        _ => return Err(format!("escape `\\{c}` is not supported")),
    }
    Ok(())
}
