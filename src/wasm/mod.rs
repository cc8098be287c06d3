//! The JS boundary (feature `wasm`, wasm32 only): thin adapters from JSON text to the Rust
//! API and back. The public JavaScript API (`validateStoreCustomer`, the Standard Schema
//! objects, option checks) is the small wrapper in `pkg/core.js`, which calls these.
//!
//! Why JSON text and not `serde-wasm-bindgen`: `make bench-wasm` prices both crossings
//! with the `boundary-probe` exports below, and JSON text is the cheaper one (README,
//! "Crossing the boundary"). It is also the safer one: `serde_json` refuses nesting past
//! 128 levels, while a recursive walk of a JS object graph has no limit and would overflow
//! the WASM shadow stack, which nothing detects.
//!
//! Nothing here panics or throws for a bad *request*: every export answers with a report.
//! Only a caller's mistake (an unknown shape, a bad option, a `toSquare` argument that is
//! not a normalized request) comes back as a `TypeError`.

/// The module's allocator: talc instead of Rust's default dlmalloc. Starting up allocates
/// thousands of small strings (the phone metadata), and dlmalloc's 4.7 KB `malloc` was the
/// one function Chromium recompiled with its optimizing compiler during a cold start.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub(crate) mod host;

use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::{Date, Options, OptionsError, Path, Report, Segment, Shape};

// The types generated from the Rust source for pkg/index.d.ts: the `Code` union from
// report.rs's list here, and the request shapes `tsify` derives from src/model/. The
// declarations of the JS API sit beside the JS, in pkg/api.d.ts; `make pkg` joins the two
// and drops wasm-bindgen's loader types. The raw exports below are `skip_typescript`:
// callers use pkg/core.js.

#[wasm_bindgen(typescript_custom_section)]
const TS_CODE: &str = crate::report::CODE_TYPESCRIPT;

/// What the input JSON text answers when it cannot be read (nesting past `serde_json`'s
/// limit, a lone surrogate escaped by `JSON.stringify`): the wrapper then sanitizes the JS
/// value and calls again. Never returned for well-formed JSON.
const UNREADABLE: &str = "";

fn type_error(message: String) -> JsValue {
    js_sys::TypeError::new(&message).into()
}

/// The options of the validation calls that follow, set by `setOptions`. A page validates
/// field after field with the same options, so the wrapper (pkg/core.js) sends them only
/// when they change: two strings fewer to copy into the module and no region lookup per
/// call. `today: None` means "read the clock at each call".
struct CurrentOptions {
    options: Options,
    today_from_clock: bool,
}

thread_local! {
    static CURRENT: std::cell::RefCell<CurrentOptions> =
        std::cell::RefCell::new(CurrentOptions { options: Options::default(), today_from_clock: true });
}

/// `setOptions`: the wrapper's already type-checked `defaultRegion`, `today` and `locale`
/// strings, and `messages` as JSON text.
#[wasm_bindgen(js_name = setOptions, skip_typescript)]
pub fn set_options(
    default_region: Option<String>,
    today: Option<String>,
    locale: Option<String>,
    messages: Option<String>,
) -> Result<(), JsValue> {
    let bad = |e: OptionsError, name: &str| type_error(format!("customer-validation: {}", e.message_for(name)));
    let today_from_clock = today.is_none();
    let today = match today {
        Some(today) => today.parse::<Date>().map_err(|e| bad(e, "options.today"))?,
        None => Options::default().today(),
    };
    let mut options =
        Options::new(default_region.as_deref().unwrap_or("US"), today).map_err(|e| bad(e, "options.defaultRegion"))?;
    if let Some(locale) = locale {
        options = options.with_locale(&locale).map_err(|e| bad(e, "options.locale"))?;
    }
    if let Some(messages) = messages {
        let value = serde_json::from_str::<Value>(&messages).unwrap_or(Value::Null);
        options = options.with_messages(&value).map_err(|e| bad(e, "options.messages"))?;
    }
    CURRENT.with(|current| *current.borrow_mut() = CurrentOptions { options, today_from_clock });
    Ok(())
}

/// The options `setOptions` set, with today's date read now if it was not given.
fn current_options() -> Options {
    CURRENT.with(|current| {
        let current = current.borrow();
        if current.today_from_clock {
            current.options.clone().with_today(Options::default().today())
        } else {
            current.options.clone()
        }
    })
}

/// The locale calls of the package, in one export (each export costs its own glue):
/// `"add"` a catalogue file's text (its tag, or a `TypeError`); `"status"` of a tag: the
/// shipped locale it falls back to, whether this module has it, its direction; `"list"`
/// the catalogue's locales.
#[wasm_bindgen(js_name = localeJson, skip_typescript)]
pub fn locale_json(op: &str, arg: &str) -> Result<String, JsValue> {
    use crate::messages;
    match op {
        "add" => messages::add_locale(arg)
            .map_err(|e| type_error(format!("customer-validation: addLocale: not a locale of the catalogue ({e})"))),
        "status" => {
            let file = messages::resolve_locale(arg);
            let have = file == "en" || messages::has_locale(&file);
            let direction = if have { messages::direction(&file) } else { String::new() };
            Ok(to_text(&serde_json::json!({ "locale": file, "loaded": have, "direction": direction })))
        }
        _ => Ok(to_text(&messages::locales())),
    }
}

/// `formatMessage`: the message for `code` and its params (JSON text) with the options of
/// `setOptions`, or a `TypeError` for a code the catalogue lacks.
#[wasm_bindgen(js_name = formatMessageJson, skip_typescript)]
pub fn format_message_json(code: &str, params: &str) -> Result<String, JsValue> {
    if !crate::messages::is_message(code) {
        return Err(type_error(format!("customer-validation: formatMessage: {code:?} is not a code")));
    }
    let params = match serde_json::from_str::<Value>(params) {
        Ok(Value::Object(map)) => map,
        _ => return Err(type_error("customer-validation: formatMessage: params must be an object".to_owned())),
    };
    Ok(current_options().message(code, &params))
}

fn shape(name: &str) -> Result<Shape, JsValue> {
    name.parse::<Shape>().map_err(|e| type_error(format!("customer-validation: {e}")))
}

fn to_text<T: Serialize>(value: &T) -> String {
    to_text_sized(value, 0)
}

/// [`to_text`] into a buffer sized up front: a report is about twice its request's text
/// (the normalized value plus the errors), and growing the buffer step by step copied it
/// several times over.
fn to_text_sized<T: Serialize>(value: &T, capacity: usize) -> String {
    let mut text = Vec::with_capacity(capacity);
    // Serializing our own types cannot fail: no maps with non-string keys.
    if serde_json::to_writer(&mut text, value).is_err() {
        return "null".to_owned();
    }
    // serde_json writes UTF-8 only.
    String::from_utf8(text).unwrap_or_else(|_| "null".to_owned())
}

fn report(shape: Shape, input: &Value, options: &Options) -> Report {
    match shape {
        Shape::Store => crate::validate_store(input, options),
        Shape::Square => crate::validate_square(input, options),
    }
}

/// `validateStoreCustomer`: the report as JSON text, with the options of `setOptions`.
#[wasm_bindgen(js_name = validateStoreJson, skip_typescript)]
pub fn validate_store_json(input: &str) -> String {
    validate_json(Shape::Store, input)
}

/// `validateSquareCustomer`: the report as JSON text, with the options of `setOptions`.
#[wasm_bindgen(js_name = validateSquareJson, skip_typescript)]
pub fn validate_square_json(input: &str) -> String {
    validate_json(Shape::Square, input)
}

fn validate_json(shape: Shape, input: &str) -> String {
    let Ok(value) = serde_json::from_str::<Value>(input) else { return UNREADABLE.to_owned() };
    to_text_sized(&report(shape, &value, &current_options()), 2 * input.len() + 64)
}

/// `validateStoreCustomerUpdate` / `validateSquareCustomerUpdate`: the report as JSON text,
/// with the options of `setOptions`; `current` is `""` when the caller gave none.
#[wasm_bindgen(js_name = validateUpdateJson, skip_typescript)]
pub fn validate_update_json(shape_name: &str, patch: &str, current: &str) -> Result<String, JsValue> {
    let shape = shape(shape_name)?;
    let Ok(patch) = serde_json::from_str::<Value>(patch) else { return Ok(UNREADABLE.to_owned()) };
    let current = if current.is_empty() { None } else { serde_json::from_str::<Value>(current).ok() };
    Ok(to_text(&update_report(shape, &patch, current.as_ref(), &current_options())))
}

fn update_report(shape: Shape, patch: &Value, current: Option<&Value>, options: &Options) -> Report {
    match shape {
        Shape::Store => crate::validate_store_update(patch, current, options),
        Shape::Square => crate::validate_square_update(patch, current, options),
    }
}

/// `validateField`: the violations of one field as JSON text, with the options of
/// `setOptions`.
#[wasm_bindgen(js_name = validateFieldJson, skip_typescript)]
pub fn validate_field_json(shape_name: &str, path: &str, value: &str) -> Result<String, JsValue> {
    let shape = shape(shape_name)?;
    let Ok(value) = serde_json::from_str::<Value>(value) else { return Ok(UNREADABLE.to_owned()) };
    Ok(to_text(&crate::validate_field(shape, path, &value, &current_options())))
}

/// One Standard Schema issue: the path as keys and numeric indices, from the segments
/// (never by parsing the dotted string).
#[derive(Serialize)]
struct Issue<'a> {
    message: &'a str,
    path: Vec<Key<'a>>,
    /// Beside Standard Schema's two: what a form library needs to word or place it itself.
    code: &'a str,
    params: &'a crate::Params,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Key<'a> {
    Name(&'a str),
    Index(usize),
}

fn keys(path: &Path) -> Vec<Key<'_>> {
    path.segments()
        .iter()
        .map(|s| match s {
            Segment::Key(k) => Key::Name(k.as_ref()),
            Segment::Index(i) => Key::Index(*i),
        })
        .collect()
}

/// The Standard Schema v1 result (`{ value }` or `{ issues }`) as JSON text, with the
/// options of `setOptions` (each schema object sends its own: the constant ones region US
/// and today from the host's clock).
#[wasm_bindgen(js_name = standardJson, skip_typescript)]
pub fn standard_json(shape_name: &str, input: &str) -> Result<String, JsValue> {
    let (shape, update) = match shape_name.strip_suffix("-update") {
        Some(base) => (shape(base)?, true),
        None => (shape(shape_name)?, false),
    };
    let Ok(input) = serde_json::from_str::<Value>(input) else { return Ok(UNREADABLE.to_owned()) };
    let options = current_options();
    let report = if update { update_report(shape, &input, None, &options) } else { report(shape, &input, &options) };
    if report.valid {
        return Ok(to_text(&serde_json::json!({ "value": report.value })));
    }
    let issues: Vec<Issue<'_>> = report
        .errors
        .iter()
        .map(|v| Issue { message: &v.message, path: keys(&v.path), code: v.code.as_str(), params: &v.params })
        .collect();
    Ok(to_text(&serde_json::json!({ "issues": issues })))
}

/// `supportedRegions`: every region the phone rules know, with its calling code, as JSON
/// text (`[{ "region": "AC", "callingCode": 247 }, …]`, in the engine's order: the wrapper
/// sorts). Written by hand: the codes are two ASCII letters and the numbers integers.
#[wasm_bindgen(js_name = supportedRegionsJson, skip_typescript)]
pub fn supported_regions_json() -> String {
    let mut text = String::from("[");
    for (region, calling_code) in crate::rules::phone::supported_regions() {
        if text.len() > 1 {
            text.push(',');
        }
        text.push_str(&format!(r#"{{"region":"{region}","callingCode":{calling_code}}}"#));
    }
    text.push(']');
    text
}

/// `parseStoreForm`: the store request read from a form body, as JSON text.
#[wasm_bindgen(js_name = parseStoreFormJson, skip_typescript)]
pub fn parse_store_form_json(body: &str) -> String {
    to_text(&crate::parse_store_form(body))
}

/// `toSquare`: the Square request for a normalized store request.
#[wasm_bindgen(js_name = toSquareJson, skip_typescript)]
pub fn to_square_json(store: &str) -> Result<String, JsValue> {
    let store = normalized(Shape::Store, store, "toSquare", "store")?;
    Ok(to_text(&crate::model::to_square_value(&store)))
}

/// `fromSquare`: the store request for a normalized Square request.
#[wasm_bindgen(js_name = fromSquareJson, skip_typescript)]
pub fn from_square_json(square: &str) -> Result<String, JsValue> {
    let square = normalized(Shape::Square, square, "fromSquare", "Square")?;
    Ok(to_text(&crate::model::from_square_value(&square)))
}

/// The request in `text` if it is a valid one of `shape` (as a report's `value` is), or a
/// `TypeError` naming the first reason it is not.
fn normalized(shape: Shape, text: &str, function: &str, what: &str) -> Result<Value, JsValue> {
    let refuse = |why: String| {
        type_error(format!(
            "customer-validation: {function} expects a normalized {what} request (a valid report's value): {why}"
        ))
    };
    let input = serde_json::from_str::<Value>(text).map_err(|e| refuse(e.to_string()))?;
    let report = report(shape, &input, &Options::default());
    match report.errors.first() {
        Some(violation) => Err(refuse(violation.to_string())),
        None => Ok(report.value),
    }
}

/// Which phone engine this build carries: `"host"` (browser build: the host's RegExp) or `"regex"` (Node
/// build). Tests use it to prove that a bundle picked the browser build.
#[wasm_bindgen(js_name = phoneEngine, skip_typescript)]
pub fn phone_engine() -> String {
    if cfg!(feature = "phone-regex") { "regex" } else { "host" }.to_owned()
}

/// Boundary probe: a request through JSON text and back, with nothing else done.
#[cfg(feature = "boundary-probe")]
#[wasm_bindgen(js_name = probeEchoJson, skip_typescript)]
pub fn probe_echo_json(input: &str) -> String {
    serde_json::from_str::<Value>(input).map(|v| to_text(&v)).unwrap_or_default()
}

/// Boundary probe: a request through `serde-wasm-bindgen` and back, with nothing else done.
#[cfg(feature = "boundary-probe")]
#[wasm_bindgen(js_name = probeEchoSerde, skip_typescript)]
pub fn probe_echo_serde(input: JsValue) -> Result<JsValue, JsValue> {
    let value: Value = serde_wasm_bindgen::from_value(input)?;
    // Plain objects, not `Map`s: the same shape the JSON path gives back.
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(JsValue::from)
}
