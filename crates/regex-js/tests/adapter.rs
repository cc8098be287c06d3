//! The adapter against the real regex-lite 0.1.9 (`oracle`), on the kinds of pattern the
//! phone engine compiles (its own constants in their `lite` spelling, and metadata-style
//! patterns) and haystacks with multi-byte text. Every API the engine calls is compared:
//! `is_match`, `find`, `find_at`, `captures`, `captures_at`, `captures_iter`, `replace`,
//! `replace_all`, `as_str`.
//!
//! Run: `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown`
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::wasm_bindgen_test;

const VALID_PUNCTUATION: &str = "-x\u{2010}-\u{2015}\u{2212}\u{30FC}\u{FF0D}-\u{FF0F} \u{00A0}\u{00AD}\u{200B}\u{2060}\u{3000}()\u{FF08}\u{FF09}\u{FF3B}\u{FF3D}.\\[\\]/~\u{2053}\u{223C}";
// rlibphonenumber's `lite` digit class is a list of ranges; a few of them, astral ones included.
const DIGITS: &str = "0-9\u{0660}-\u{0669}\u{06F0}-\u{06F9}\u{0966}-\u{096F}\u{FF10}-\u{FF19}\u{1D7CE}-\u{1D7FF}";

fn patterns() -> Vec<String> {
    let explicit = "(?:[eE]?[xX][tT](?:[eE][nN][sS][iI](?:[oO\u{00D3}]\u{0301}?|[\u{00F3}\u{00D3}]))?[nN]?|(?:[\u{FF45}\u{FF25}])?[\u{FF58}\u{FF38}][\u{FF54}\u{FF34}](?:[\u{FF4E}\u{FF2E}])?|[\u{0434}\u{0414}][\u{043E}\u{041E}][\u{0431}\u{0411}]|[aA][nN][eE][xX][oO])";
    let ambiguous = "(?:[xX\u{FF58}\u{FF38}#\u{FF03}~\u{FF5E}]|[iI][nN][tT]|[\u{FF49}\u{FF29}][\u{FF4E}\u{FF2E}][\u{FF54}\u{FF34}])";
    let digits = |n: u32| format!("([{DIGITS}]{{1,{n}}})");
    let sep = "[ \u{00A0}\\t,]*";
    let after = "[:\\.\u{FF0E}]?[ \u{00A0}\\t,-]*";
    let extn = format!(
        ";ext={}|{sep}{explicit}{after}{}#?|{sep}{ambiguous}{after}{}#?|[- ]+{}#|[ \u{00A0}\\t]*(?:,{{2}}|;){after}{}#?|[ \u{00A0}\\t]*(?:,)+{after}{}#?",
        digits(20),
        digits(20),
        digits(9),
        digits(6),
        digits(15),
        digits(9)
    );
    let valid = format!(
        "[+\u{FF0B}]*(?:[{VALID_PUNCTUATION}*]*[{DIGITS}]){{3,}}[{VALID_PUNCTUATION}*a-z{DIGITS}]*|[{DIGITS}]{{2}}"
    );
    let alphanum = format!("A-Za-z{DIGITS}");
    vec![
        "^(?:[\\d]+(?:[~\u{2053}\u{223C}\u{FF5E}][\\d]+)?)$".into(),
        "(\\d+)".into(),
        r"(.*)[\\/] *x".into(),
        format!("^[{VALID_PUNCTUATION}]+"),
        format!("[{VALID_PUNCTUATION}]+"),
        format!("(?i)(?:{extn})$"),
        format!("(?i)^(?:{valid})(?:{extn})?$"),
        "^(?:.*?[A-Za-z]){3}.*$".into(),
        "(\\$\\d)".into(),
        "\\$CC".into(),
        "^[+\u{FF0B}]+".into(),
        format!("^\\+([{DIGITS}]|[\\-\\.\\(\\)]?)*[{DIGITS}]([{DIGITS}]|[\\-\\.\\(\\)]?)*$"),
        format!("^([{alphanum}]+((\\-)*[{alphanum}])*\\.)*[{A}]+((\\-)*[{alphanum}])*\\.?$", A = "A-Za-z"),
        format!("^(?:[{VALID_PUNCTUATION}]*\\$1[{VALID_PUNCTUATION}]*(\\$\\d[{VALID_PUNCTUATION}]*)*)$"),
        "^\\(?\\$1\\)?$".into(),
        "^(?:(\\d+)(.*))$".into(),
        // Metadata-style: national patterns, leading digits, prefixes for parsing, formats.
        "(?:[2-9]\\d{2})[2-9]\\d{6}".into(),
        "^(?:(?:[2-9]\\d{2})[2-9]\\d{6})$".into(),
        "^(?:1|0(?:1[0-2]|[2-8]))".into(),
        "0(?:(11|343|3715)15)?".into(),
        "(\\d{3})(\\d{3})(\\d{4})".into(),
        "^(?:(\\d{2})(\\d{4})(\\d{4}))$".into(),
        "(?:0|90)".into(),
        "^(?:[3689]|7[0-8])".into(),
        "".into(),
        "\\d{1,5}-+\\d{1,5}\\s{0,4}\\(\\d{1,4}".into(),
        "[12]\\d{3}[-/]?[01]\\d[-/]?[0-3]\\d +[0-2]\\d$".into(),
        "(?P<area>\\d{3})-(?<rest>\\d+)".into(),
        "a*".into(),
        "\\b\\d+\\b".into(),
        "\\A\\d+\\z".into(),
        "x.y".into(),
        "[]a]+".into(),
        "\\#\\~\\-".into(),
        "\\x{FF0B}\\x2B".into(),
    ]
}

fn haystacks() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        "6502530000",
        "+1 650 253 0000",
        "+1 (650) 253-0000 ext. 1234",
        "+1 650-253-0000 x 123",
        "650 253 0000 #123",
        "(530) 583-6985 x302/x2303",
        "+44 20 7031 3000;ext=99",
        "0800 123 4567,,22",
        "020 7031 3000 ДОБ 44",
        "020 7031 3000 доб. 44",
        "+1 650 253 0000 EXTENSIÓN 5",
        "+1 650 253 0000 extensio\u{0301}n 5",
        "\u{FF0B}\u{FF11}\u{FF16}\u{FF15}\u{FF10} 253 0000",
        "+\u{0661}\u{0662}\u{0663}\u{0664}\u{0665}\u{0666}\u{0667}",
        "+1\u{00A0}650\u{00A0}253\u{00A0}0000",
        "tel:+1-650-253-0000;phone-context=example.com",
        "1-800-FLOWERS",
        "$NP$FG $1 $CC ($1)",
        "$1-$2",
        "(\u{FF11}\u{FF12}) 𝟏𝟐𝟑 x𝟒𝟓",
        "1999-12-31 23",
        "12:34",
        "abc-def.ghi",
        "x\ny x y xé y",
        "]]a]b",
        "#~-",
        "\u{FF0B}+",
        "🙂 650 253 0000 🙂",
        "12 34-5 (678",
        "0343 15 555 1234",
        "011 44 20 7031 3000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Each haystack behind a multi-byte prefix too, so UTF-16 ↔ UTF-8 mapping is exercised.
    let shifted: Vec<String> = v.iter().map(|s| format!("é𝟏 {s}")).collect();
    v.extend(shifted);
    v
}

/// Rust replacement syntax, including the cases JavaScript reads differently (`$1a` is the
/// group named `1a` in Rust, group 1 then `a` in JavaScript; `$9` of a missing group).
const REPLACEMENTS: [&str; 10] = ["-", "$1", "$1 $2", "${1}x", "$1a", "$$1", "$area/$rest", "$9", "[$0]", "$"];

type Slots = Vec<Option<(usize, usize)>>;

/// Known difference, by pattern: a capture group inside a `*` loop whose last iteration can
/// match the empty string. Rust records that empty iteration (group = `Some((n, n))`);
/// ECMAScript refuses empty iterations (RepeatMatcher's empty check), so the group keeps its
/// earlier value or stays unset. Whole-match offsets are the same, and the engine uses these
/// two RFC 3966 patterns only as full matches (`is_match`), never for their groups.
fn groups_comparable(p: &str) -> bool {
    !(p.starts_with("^\\+([") || p.starts_with("^([A-Za-z"))
}

fn group0(s: Slots) -> Slots {
    s.into_iter().take(1).collect()
}

fn ours_caps(c: &regex_lite::Captures<'_>) -> Slots {
    (0..c.len()).map(|i| c.get(i).map(|m| (m.start(), m.end()))).collect()
}

fn oracle_caps(c: &oracle::Captures<'_>) -> Slots {
    (0..c.len()).map(|i| c.get(i).map(|m| (m.start(), m.end()))).collect()
}

/// `(?i)` is the one intended difference: Unicode simple case folding (as the native `regex`
/// build does) instead of regex-lite's ASCII-only folding. No haystack here holds a character
/// whose fold differs (ſ U+017F, K U+212A, non-ASCII letters outside the explicit classes).
#[wasm_bindgen_test]
fn every_api_matches_regex_lite() {
    let mut compared = 0;
    for p in patterns() {
        let ours = regex_lite::Regex::new(&p).unwrap_or_else(|e| panic!("{p:?}: {e}"));
        let oracle = oracle::Regex::new(&p).unwrap();
        assert_eq!(ours.as_str(), oracle.as_str());
        assert_eq!(ours.captures_len(), oracle.captures_len(), "{p:?}");
        for h in haystacks() {
            let ctx = format!("pattern {p:?} on {h:?}");
            assert_eq!(ours.is_match(&h), oracle.is_match(&h), "is_match {ctx}");
            assert_eq!(ours.find(&h).map(|m| m.range()), oracle.find(&h).map(|m| m.range()), "find {ctx}");
            assert_eq!(ours.find(&h).map(|m| m.as_str()), oracle.find(&h).map(|m| m.as_str()), "find {ctx}");
            let cut = |s: Slots| if groups_comparable(&p) { s } else { group0(s) };
            assert_eq!(
                ours.captures(&h).map(|c| cut(ours_caps(&c))),
                oracle.captures(&h).map(|c| cut(oracle_caps(&c))),
                "captures {ctx}"
            );
            for (at, _) in h.char_indices().chain([(h.len(), ' ')]) {
                assert_eq!(
                    ours.find_at(&h, at).map(|m| m.range()),
                    oracle.find_at(&h, at).map(|m| m.range()),
                    "find_at {at} {ctx}"
                );
                assert_eq!(
                    ours.captures_at(&h, at).map(|c| cut(ours_caps(&c))),
                    oracle.captures_at(&h, at).map(|c| cut(oracle_caps(&c))),
                    "captures_at {at} {ctx}"
                );
            }
            let a: Vec<Slots> = ours.captures_iter(&h).map(|c| cut(ours_caps(&c))).collect();
            let b: Vec<Slots> = oracle.captures_iter(&h).map(|c| cut(oracle_caps(&c))).collect();
            assert_eq!(a, b, "captures_iter {ctx}");
            let reps: &[&str] = if groups_comparable(&p) { &REPLACEMENTS } else { &REPLACEMENTS[..1] };
            for rep in reps.iter().copied() {
                assert_eq!(ours.replace(&h, rep), oracle.replace(&h, rep), "replace {rep:?} {ctx}");
                assert_eq!(ours.replace_all(&h, rep), oracle.replace_all(&h, rep), "replace_all {rep:?} {ctx}");
                let owned = rep.to_string();
                assert_eq!(ours.replace_all(&h, &owned), oracle.replace_all(&h, &owned), "&String {ctx}");
            }
            compared += 1;
        }
    }
    assert!(compared > 1000, "only {compared} pattern × haystack pairs compared");
}

/// Syntax regex-lite rejects must not become something else that matches.
#[wasm_bindgen_test]
fn unsupported_syntax_is_an_error() {
    for p in ["(", "[a", "a)", "\\p{Nd}", "(?m)^a", "a(?i)b", "[[:alpha:]]", "\\"] {
        assert!(regex_lite::Regex::new(p).is_err(), "{p:?} compiled");
        assert!(
            oracle::Regex::new(p).is_err() || p.contains("(?m)") || p.contains("(?i)") || p.contains("[:"),
            "{p:?}"
        );
    }
}

/// Rows where JavaScript's defaults differ from regex-lite and the translation must hold.
#[wasm_bindgen_test]
fn translated_semantics() {
    let rows: &[(&str, &str, bool)] = &[
        // `\s`: regex-lite is ASCII only; JavaScript's would take NBSP and U+FEFF.
        ("^\\s$", "\u{00A0}", false),
        ("^\\s$", "\u{FEFF}", false),
        ("^\\s$", "\t", true),
        // `.`: regex-lite excludes only `\n`; JavaScript also `\r` and U+2028.
        ("^.$", "\r", true),
        ("^.$", "\u{2028}", true),
        ("^.$", "\n", false),
        ("^.$", "𝟏", true),
        ("(?s)^.$", "\n", true),
        // `$` is end of text, not before a final newline.
        ("a$", "a\n", false),
        ("\\Aa\\z", "a", true),
        // Escapes legal in Rust that `u` mode refuses.
        ("^\\-\\#\\~\\&$", "-#~&", true),
        ("^[\\-]$", "-", true),
        ("(?i)^ext$", "EXT", true),
    ];
    for (p, h, want) in rows {
        let re = regex_lite::Regex::new(p).unwrap_or_else(|e| panic!("{p:?}: {e}"));
        assert_eq!(re.is_match(h), *want, "{p:?} on {h:?}");
        if let Ok(o) = oracle::Regex::new(p) {
            assert_eq!(o.is_match(h), *want, "oracle disagrees with the row: {p:?} on {h:?}");
        }
    }
}

/// Clones share one compiled expression; dropping every clone frees its slot for reuse.
#[wasm_bindgen_test]
fn clones_and_drops() {
    let a = regex_lite::Regex::new("\\d+").unwrap();
    let b = a.clone();
    drop(a);
    assert_eq!(b.find("ab12").map(|m| m.as_str()), Some("12"));
    for i in 0..1000 {
        let re = regex_lite::Regex::new(&format!("^{i}$")).unwrap();
        assert!(re.is_match(&i.to_string()));
    }
}

/// The host side reads haystacks through a view of the module's memory; when the memory
/// grows, the old view is detached and must be replaced, or a search would read zeros.
#[wasm_bindgen_test]
fn matches_after_the_memory_grows() {
    let re = regex_lite::Regex::new(r"(\d{3}) (\d{4})").unwrap();
    let before = "call 650 2530 now".to_owned();
    assert_eq!(re.captures(&before).map(|c| c[2].to_owned()), Some("2530".to_owned()));
    // 64 MiB more than the module had: wasm memory grows, and the old buffer is detached.
    let ballast = vec![1u8; 64 << 20];
    let after = format!("ring 212 {} ok", 5550 + usize::from(ballast[ballast.len() - 1]));
    assert!(re.is_match(&after));
    assert_eq!(re.captures(&after).map(|c| c[2].to_owned()), Some("5551".to_owned()));
    assert_eq!(
        re.find(&after).map(|m| m.range()),
        oracle::Regex::new(r"(\d{3}) (\d{4})").unwrap().find(&after).map(|m| m.range())
    );
    drop(ballast);
}

/// The host side keeps the last text it read from memory, to skip rebuilding it when the
/// engine asks several patterns about the same number; new bytes at the same address and
/// length must still be read as the new text.
#[wasm_bindgen_test]
fn reads_new_text_at_the_address_of_the_last_one() {
    let digits = regex_lite::Regex::new(r"^\d+$").unwrap();
    let dashed = regex_lite::Regex::new(r"^\d+-\d+$").unwrap();
    let mut hay = String::from("650-2530");
    assert!(dashed.is_match(&hay) && !digits.is_match(&hay));
    let at = hay.as_ptr();
    hay.replace_range(3..4, "7");
    assert_eq!(hay.as_ptr(), at, "same buffer, same length");
    assert!(digits.is_match(&hay) && !dashed.is_match(&hay));
    assert_eq!(digits.find(&hay).map(|m| m.as_str()), Some("65072530"));
    // One byte shorter, same address.
    hay.truncate(7);
    assert_eq!(dashed.find(&hay), None);
    assert_eq!(digits.find(&hay).map(|m| m.as_str()), Some("6507253"));
}
