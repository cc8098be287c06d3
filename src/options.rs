//! The options of every validation call: the phone's default region, the date that
//! "future" is judged against, and how messages are worded (locale and overrides). Plain
//! data: the rules read it, it knows no rule.
//!
//! `today` is an input, not a clock read inside the rules: tests pin it, and
//! `SystemTime::now()` panics on `wasm32-unknown-unknown`, where the boundary passes the
//! host's date instead.

use std::fmt;
use std::str::FromStr;

use std::sync::Arc;

use crate::messages::{self, Messages, Wording};

/// A calendar date; year 0 stands for "year unknown" (Square's `0000-MM-DD`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Date {
    /// 0 (unknown) or 1..=9999.
    pub year: u16,
    /// 1..=12.
    pub month: u8,
    /// 1..=31, within the month.
    pub day: u8,
}

impl Date {
    /// A real calendar date, or `None`. Year 0 ("unknown") allows 29 February.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let leap = year == 0 || (year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)));
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year <= 9999 && (1..=days_in_month).contains(&day)).then_some(Date { year, month, day })
    }

    /// The civil date `days` days after 1970-01-01 (proleptic Gregorian).
    pub fn from_unix_days(days: i64) -> Date {
        // Howard Hinnant's civil_from_days: eras of 400 years starting on 1 March.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date { year: year.clamp(1, 9999) as u16, month, day }
    }

    /// The latest calendar date anywhere on Earth (UTC+14) at `unix_seconds`: a customer
    /// born "today" in any time zone is not in the future.
    pub fn latest_on_earth(unix_seconds: i64) -> Date {
        Date::from_unix_days((unix_seconds + 14 * 3600).div_euclid(86_400))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = OptionsError;

    /// Strict `YYYY-MM-DD` with ASCII digits and a real calendar date.
    fn from_str(text: &str) -> Result<Date, OptionsError> {
        let bad = || OptionsError::Today(text.to_owned());
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let number = |r: std::ops::Range<usize>| -> Option<u16> {
            let part = &b[r];
            part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0')))
        };
        let (year, month, day) = (number(0..4), number(5..7), number(8..10));
        match (year, month, day) {
            (Some(y), Some(m), Some(d)) => Date::new(y, m as u8, d as u8).ok_or_else(bad),
            _ => Err(bad()),
        }
    }
}

/// A bad option: a mistake of the caller, not of the request being validated.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum OptionsError {
    /// `default_region` is not a region the phone engine knows.
    DefaultRegion(String),
    /// `today` is not a `YYYY-MM-DD` calendar date.
    Today(String),
    /// `locale` is not a well-formed BCP 47 tag.
    Locale(String),
    /// `messages` is not an object of templates (the text says what is wrong).
    Messages(String),
}

impl OptionsError {
    /// The error's text, naming the option as the caller spelled it (`defaultRegion` in
    /// JavaScript), from the catalogue's developer messages.
    pub fn message_for(&self, name: &str) -> String {
        let (key, value) = match self {
            OptionsError::DefaultRegion(v) => ("option_default_region", v),
            OptionsError::Today(v) => ("option_today", v),
            OptionsError::Locale(v) => ("option_locale", v),
            OptionsError::Messages(v) => ("option_messages", v),
        };
        messages::developer(key, &[("name", name), ("value", value)])
    }

    /// The option as Rust callers name it.
    fn rust_name(&self) -> &'static str {
        match self {
            OptionsError::DefaultRegion(_) => "option `default_region`",
            OptionsError::Today(_) => "option `today`",
            OptionsError::Locale(_) => "option `locale`",
            OptionsError::Messages(_) => "option `messages`",
        }
    }
}

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_for(self.rust_name()))
    }
}

impl std::error::Error for OptionsError {}

/// What every validation call needs besides the request.
#[derive(Clone, Debug)]
pub struct Options {
    /// Upper-case ISO 3166-1 alpha-2, one the phone rules know (checked when set).
    default_region: [u8; 2],
    pub(crate) today: Date,
    pub(crate) wording: Wording,
}

fn region_code(text: &str) -> Result<[u8; 2], OptionsError> {
    let bad = || OptionsError::DefaultRegion(text.to_owned());
    let code: [u8; 2] = text.as_bytes().try_into().map_err(|_| bad())?;
    let code = code.map(|b| b.to_ascii_uppercase());
    let text = std::str::from_utf8(&code).map_err(|_| bad())?;
    if crate::rules::phone::is_known_region(text) {
        Ok(code)
    } else {
        Err(bad())
    }
}

impl Options {
    /// Options with `default_region` (e.g. `"GB"`) and `today`.
    ///
    /// ```
    /// use customer_validation::{Date, Options};
    /// let options = Options::new("GB", "2026-11-23".parse()?)?;
    /// assert_eq!(options.default_region(), "GB");
    /// assert!(Options::new("XX", "2026-11-23".parse()?).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(default_region: &str, today: Date) -> Result<Options, OptionsError> {
        Ok(Options { default_region: region_code(default_region)?, today, wording: Wording::default() })
    }

    /// The default region, upper case.
    pub fn default_region(&self) -> &str {
        // Two ASCII letters, checked when set.
        std::str::from_utf8(&self.default_region).unwrap_or("US")
    }

    /// The date "future" is judged against.
    pub fn today(&self) -> Date {
        self.today
    }

    /// The locale messages are written in, as the caller gave it (`None`: English).
    pub fn locale(&self) -> Option<&str> {
        self.wording.locale.as_deref()
    }

    /// The same options with another `today`.
    pub fn with_today(mut self, today: Date) -> Options {
        self.today = today;
        self
    }

    /// The same options with another default region.
    pub fn with_default_region(mut self, region: &str) -> Result<Options, OptionsError> {
        self.default_region = region_code(region)?;
        Ok(self)
    }

    /// The same options with messages in `locale` (BCP 47), which falls back along its
    /// parents to English: `pt-BR` → `pt` → `en`.
    ///
    /// ```
    /// use customer_validation::{validate_store, Options};
    /// let options = Options::new("DE", "2026-11-23".parse()?)?.with_locale("de-AT")?;
    /// let report = validate_store(&serde_json::json!({ "customer": { "first_name": "Ada", "email": "x@" } }), &options);
    /// assert_eq!(report.errors[0].message, "Geben Sie eine E-Mail-Adresse wie name@example.com ein.");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_locale(mut self, locale: &str) -> Result<Options, OptionsError> {
        let tag = messages::canonical(locale).ok_or_else(|| OptionsError::Locale(locale.to_owned()))?;
        self.wording.locale = (tag != "en").then_some(tag);
        Ok(self)
    }

    /// The same options with the caller's own templates, per code and per field path:
    /// `{ "invalid_email": "…", "customer.email": { "invalid_email": "…" } }`.
    pub fn with_messages(mut self, messages: &serde_json::Value) -> Result<Options, OptionsError> {
        let parsed = Messages::from_json(messages).map_err(OptionsError::Messages)?;
        self.wording.overrides = Some(Arc::new(parsed));
        Ok(self)
    }

    /// Rewrites the messages of `errors` in this wording (they are built in English).
    pub(crate) fn word(&self, errors: &mut [crate::Violation]) {
        if self.wording.is_english() {
            return;
        }
        for v in errors {
            v.message = self.wording.render(v.code.as_str(), &v.params, &v.path);
        }
    }

    /// The message for a non-violation entry of the catalogue (`signup_rate_limited`).
    pub fn message(&self, key: &str, params: &crate::Params) -> String {
        self.wording.render(key, params, &crate::Path::root())
    }
}

impl Default for Options {
    /// Region `US`, and today at UTC+14 read from the system clock (natively) or from the
    /// JavaScript host's `Date.now()` (in WASM), English messages.
    fn default() -> Options {
        Options {
            default_region: *b"US",
            today: Date::latest_on_earth(crate::platform::now_unix_seconds()),
            wording: Wording::default(),
        }
    }
}
