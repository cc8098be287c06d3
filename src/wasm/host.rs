//! Every call the library makes into JavaScript, for `crate::platform`: the clock, and in
//! the browser build the host's URL parser and RegExp for email domains. (The phone
//! engine's patterns run on the host's RegExp through `crates/regex-js`, the `regex-lite`
//! stand-in that build patches in.)

/// Seconds since the Unix epoch, now: `Date.now()`.
pub(crate) fn now_unix_seconds() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

#[cfg(feature = "host-idna")]
pub(crate) use idna::{domain_to_ascii, is_domain_text};

#[cfg(feature = "host-idna")]
mod idna {
    use wasm_bindgen::prelude::*;

    use crate::rules::email::ascii_to_unicode;

    #[wasm_bindgen]
    extern "C" {
        // The WHATWG URL class: a global in every browser and in Node.
        type URL;
        #[wasm_bindgen(constructor, catch)]
        fn new(url: &str) -> Result<URL, JsValue>;
        #[wasm_bindgen(method, getter)]
        fn hostname(this: &URL) -> String;
    }

    fn hostname_of(url: &str) -> Option<String> {
        URL::new(url).ok().map(|u| u.hostname())
    }

    // Built once per module: each `new RegExp` copies its source out of WASM memory.
    thread_local! {
        /// A letter of a right-to-left script (bidi class R or AL; marks are NSM) or an
        /// Arabic digit (AN): the blocks Unicode reserves for them, which JS RegExp can name.
        static RIGHT_TO_LEFT: js_sys::RegExp = js_sys::RegExp::new(
            r"(?!\p{M})[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]",
            "u",
        );
        static DOMAIN_TEXT: js_sys::RegExp = js_sys::RegExp::new(r"^[\p{L}\p{M}\p{Nd}.-]*$", "u");
        static STARTS_WITH_LETTER: js_sys::RegExp = js_sys::RegExp::new(r"^\p{L}", "u");
    }

    /// UTS #46 ToASCII by the host's URL parser (WHATWG's algorithm, the one
    /// `<input type=email>` runs), with what the hosts' parsers skip added; `None` when it
    /// fails.
    pub(crate) fn domain_to_ascii(domain: &str) -> Option<String> {
        // A last label that reads as a number (`123`, `0x1f`) makes the URL parser try IPv4
        // and fail, where `idna` returns it for our own numeric-domain check to judge. A
        // plain letter label after it keeps the parser on the domain path; UTS #46 handles
        // each label on its own, and an ASCII letter label passes the bidi rule, so it
        // changes nothing else.
        let hostname = hostname_of(&format!("http://{domain}.a"))?;
        let ascii = hostname.strip_suffix(".a")?;
        // RFC 5893's first rule, which `idna` applies to every label of a domain holding
        // right-to-left text and the host's URL parsers skip in part (Chromium's ICU for
        // plain ASCII labels; Node's Ada for every label): in such a domain each label
        // starts with a letter (bidi class L, R or AL), so `١٢٣` (Arabic-Indic digits) or
        // `1abc` is refused. Both this and the next check read the Unicode form, decoded
        // once.
        let right_to_left = RIGHT_TO_LEFT.with(|re| re.test(domain));
        let punycode = ascii.split('.').any(|l| l.starts_with("xn--"));
        if right_to_left || punycode {
            let unicode = ascii_to_unicode(ascii)?;
            if right_to_left && unicode.split('.').any(|label| !STARTS_WITH_LETTER.with(|re| re.test(label))) {
                return None;
            }
            // UTS #46 refuses an `xn--` label whose decoding IDNA would map (`xn--example`
            // decodes to an upper-case Omega); Chromium's ICU lets it through. Such a label
            // does not survive a second ToASCII of its own Unicode form unchanged.
            if punycode && hostname_of(&format!("http://{unicode}.a"))?.strip_suffix(".a") != Some(ascii) {
                return None;
            }
        }
        Some(ascii.to_owned())
    }

    /// Letters, marks, decimal digits, `-` and `.`, by the host's RegExp: the host already
    /// did ToASCII with its own Unicode tables, and a general-category table of ours would
    /// weigh on every page.
    pub(crate) fn is_domain_text(domain: &str) -> bool {
        DOMAIN_TEXT.with(|re| re.test(domain))
    }
}
