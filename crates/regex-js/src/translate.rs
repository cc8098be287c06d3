//! Rust regex syntax (as regex-lite accepts it) into a JavaScript `RegExp` source for the
//! `u` flag, which is strict: an escape JavaScript doesn't know is a syntax error there, so
//! everything is spelled the way both engines read alike, and whatever has no faithful
//! translation is refused with an error instead of matching something else.
//!
//! It works on bytes: every piece of syntax is ASCII, and the bytes of other characters are
//! copied as they are. (Walking `char`s put a UTF-8 decoder at every step, which was most
//! of this file's 13 KB in the browser build.)

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
const ASCII_SPACE: &[u8] = br"\t\n\v\f\r ";

/// Characters JavaScript lets a `u`-mode pattern escape with a backslash (outside classes).
fn js_syntax_char(c: u8) -> bool {
    matches!(c, b'^' | b'$' | b'\\' | b'.' | b'*' | b'+' | b'?' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'|' | b'/')
}

/// The pattern's bytes, read one at a time.
struct Input<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Input<'_> {
    fn next(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Consumes and returns the bytes up to the next one of `special` (or the end): copied
    /// in one go, since most of a pattern is literal text and long classes of digits.
    fn literal_run(&mut self, special: &[u8]) -> &[u8] {
        let start = self.at;
        let rest = &self.bytes[start..];
        self.at += rest.iter().position(|b| special.contains(b)).unwrap_or(rest.len());
        &self.bytes[start..self.at]
    }

    /// Consumes `b` if it comes next.
    fn eat(&mut self, b: u8) -> bool {
        let next = self.peek() == Some(b);
        self.at += usize::from(next);
        next
    }
}

/// Not inlined into `Regex::new`: V8 recompiles whichever function runs hot with its
/// optimizing compiler, and this small loop costs far less to recompile than its caller.
#[inline(never)]
pub(crate) fn translate(pattern: &str) -> Result<Translated, String> {
    let mut out = Vec::with_capacity(pattern.len() + 8);
    let mut names = vec![None];
    let mut case_insensitive = false;
    let mut dot_all = false;
    let mut rest = pattern;
    // Flags can't change midway through a JavaScript pattern (no `(?i:...)` in Node 20), so only
    // a leading group applies, to the whole pattern, as it does in Rust.
    if let Some(after) = rest.strip_prefix("(?") {
        if let Some(end) = after.find(')') {
            let flags = &after.as_bytes()[..end];
            if !flags.is_empty() && flags.iter().all(u8::is_ascii_alphabetic) {
                for f in flags {
                    match f {
                        b'i' => case_insensitive = true,
                        b's' => dot_all = true,
                        _ => return Err("only the flags `i` and `s` are supported".into()),
                    }
                }
                rest = &after[end + 1..];
            }
        }
    }
    let mut input = Input { bytes: rest.as_bytes(), at: 0 };
    loop {
        out.extend_from_slice(input.literal_run(b"\\.[("));
        let Some(c) = input.next() else { break };
        match c {
            b'\\' => escape(&mut input, false, &mut out)?,
            b'.' => out.extend_from_slice(if dot_all { b"[^]" } else { b"[^\\n]" }),
            b'[' => class(&mut input, &mut out)?,
            b'(' if input.eat(b'?') => match input.next() {
                Some(b':') => out.extend_from_slice(b"(?:"),
                Some(b'P') if input.eat(b'<') => group_name(&mut input, &mut names, &mut out)?,
                Some(b'<') => group_name(&mut input, &mut names, &mut out)?,
                _ => return Err("only `(?:`, `(?P<name>` and leading flags are supported".into()),
            },
            b'(' => {
                names.push(None);
                out.push(b'(');
            }
            _ => out.push(c),
        }
    }
    // Only whole characters were copied and only ASCII was added, so this cannot fail.
    let source = String::from_utf8(out).map_err(|_| String::from("invalid UTF-8"))?;
    Ok(Translated { source, case_insensitive, names })
}

fn group_name(input: &mut Input<'_>, names: &mut Vec<Option<String>>, out: &mut Vec<u8>) -> Result<(), String> {
    let start = input.at;
    loop {
        match input.next() {
            Some(b'>') => break,
            Some(c) if c.is_ascii_alphanumeric() || c == b'_' => {}
            _ => return Err("invalid capture group name".into()),
        }
    }
    let name = &input.bytes[start..input.at - 1];
    if name.is_empty() || name[0].is_ascii_digit() {
        return Err("invalid capture group name".into());
    }
    // ASCII letters, digits and `_` only, checked above.
    let name = String::from_utf8_lossy(name).into_owned();
    if names.iter().flatten().any(|n| *n == name) {
        return Err("duplicate capture group name `".to_owned() + &name + "`");
    }
    out.extend_from_slice(b"(?<");
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
    names.push(Some(name));
    Ok(())
}

fn class(input: &mut Input<'_>, out: &mut Vec<u8>) -> Result<(), String> {
    out.push(b'[');
    if input.eat(b'^') {
        out.push(b'^');
    }
    // Rust reads a `]` right after `[` or `[^` as a literal; JavaScript as an empty class.
    if input.eat(b']') {
        out.extend_from_slice(b"\\]");
    }
    let mut prev = 0;
    loop {
        let run = input.literal_run(b"]\\[&~-");
        out.extend_from_slice(run);
        if let Some(&last) = run.last() {
            prev = last;
        }
        let Some(c) = input.next() else { return Err("unclosed character class".into()) };
        match c {
            b']' => {
                out.push(b']');
                return Ok(());
            }
            b'\\' => escape(input, true, out)?,
            b'[' => return Err("nested or POSIX classes are not supported".into()),
            b'&' | b'~' | b'-' if prev == c => return Err("class set operations are not supported".into()),
            _ => out.push(c),
        }
        prev = c;
    }
}

/// `\x{1F600}`: hex digits up to `}`, refused past the last code point as they come.
fn braced_hex(input: &mut Input<'_>) -> Result<u32, String> {
    let mut value = 0u32;
    let mut any = false;
    loop {
        match input.next() {
            Some(b'}') if any => return Ok(value),
            Some(c) if c.is_ascii_hexdigit() && value <= 0x10FFFF => {
                value = value * 16 + char::from(c).to_digit(16).unwrap_or(0);
                any = true;
            }
            _ => return Err("invalid hex escape".into()),
        }
    }
}

/// `\xHH`, `\uHHHH`, `\UHHHHHHHH`: exactly `n` hex digits.
fn hex_digits(input: &mut Input<'_>, n: usize) -> Result<u32, String> {
    let mut value = 0u32;
    for _ in 0..n {
        let digit = input.next().and_then(|c| char::from(c).to_digit(16)).ok_or("invalid hex escape")?;
        value = value * 16 + digit;
    }
    Ok(value)
}

/// `\u{…}` for JavaScript, which reads it as one code point in `u` mode.
fn push_code_point(value: u32, out: &mut Vec<u8>) -> Result<(), String> {
    char::from_u32(value).ok_or("escape is not a Unicode scalar value")?;
    out.extend_from_slice(b"\\u{");
    push_hex(value, out);
    out.push(b'}');
    Ok(())
}

fn push_hex(value: u32, out: &mut Vec<u8>) {
    let digits = (32 - value.leading_zeros()).div_ceil(4).max(1);
    for shift in (0..digits).rev() {
        out.push(b"0123456789ABCDEF"[(value >> (shift * 4)) as usize & 0xF]);
    }
}

fn escape(input: &mut Input<'_>, in_class: bool, out: &mut Vec<u8>) -> Result<(), String> {
    let Some(c) = input.next() else { return Err("pattern ends with a backslash".into()) };
    match c {
        b'd' | b'D' | b'w' | b'W' | b't' | b'n' | b'r' | b'f' | b'v' => out.extend_from_slice(&[b'\\', c]),
        b'b' | b'B' if !in_class => {
            if input.peek() == Some(b'{') {
                return Err("special word boundaries are not supported".into());
            }
            out.extend_from_slice(&[b'\\', c]);
        }
        b's' if in_class => out.extend_from_slice(ASCII_SPACE),
        b's' | b'S' if !in_class => {
            out.extend_from_slice(if c == b's' { b"[" } else { b"[^" });
            out.extend_from_slice(ASCII_SPACE);
            out.push(b']');
        }
        b'A' if !in_class => out.push(b'^'),
        b'z' if !in_class => out.push(b'$'),
        b'a' => out.extend_from_slice(b"\\x07"),
        b'e' => out.extend_from_slice(b"\\x1B"),
        b'x' | b'u' | b'U' if input.eat(b'{') => push_code_point(braced_hex(input)?, out)?,
        b'x' => push_code_point(hex_digits(input, 2)?, out)?,
        b'u' => push_code_point(hex_digits(input, 4)?, out)?,
        b'U' => push_code_point(hex_digits(input, 8)?, out)?,
        c if c.is_ascii_punctuation() && !matches!(c, b'<' | b'>') => {
            if js_syntax_char(c) || (in_class && c == b'-') {
                out.extend_from_slice(&[b'\\', c]);
            } else {
                // e.g. `\~`, `\#`, `\-` outside a class: legal in Rust, a syntax error in `u` mode.
                // Punctuation is 0x21 to 0x7E: always two hex digits, as `\xHH` needs.
                out.extend_from_slice(b"\\x");
                push_hex(u32::from(c), out);
            }
        }
        _ => return Err("this escape is not supported".into()),
    }
    Ok(())
}
