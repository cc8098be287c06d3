// The public API of `customer-validation`, shared by both builds: `node.js` and
// `browser.js` hand it their initialized wasm-bindgen module. Requests cross the boundary
// as JSON text (src/wasm.rs says why); this file turns any JS value into JSON text that
// the Rust side can read, so that bad input is always a report and never an exception.

const VENDOR = "customer-validation";
const SHAPES = new Set(["store", "square"]);
const OPTION_KEYS = new Set(["defaultRegion", "today", "locale", "messages"]);
// Deeper than any rule looks (metadata stops at a few levels) and below serde_json's 128.
const MAX_DEPTH = 100;

function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function fail(message) {
  throw new TypeError(`${VENDOR}: ${message}`);
}

// The options as the module takes them: [defaultRegion, today, locale, messages as JSON
// text], each undefined when not given.
function optionArgs(options, fn) {
  if (options === undefined || options === null) return [undefined, undefined, undefined, undefined];
  if (typeof options !== "object" || Array.isArray(options)) {
    fail(`${fn}: options must be an object like { defaultRegion: "US", today: "2026-11-23", locale: "de" }, got ${describe(options)}`);
  }
  let keys, defaultRegion, today, locale, messages;
  try {
    keys = Object.keys(options);
    ({ defaultRegion, today, locale, messages } = options);
  } catch (e) {
    fail(`${fn}: options could not be read (${e?.message ?? e})`);
  }
  for (const key of keys) {
    if (!OPTION_KEYS.has(key)) fail(`${fn}: unknown option ${JSON.stringify(key)} (known: ${[...OPTION_KEYS].join(", ")})`);
  }
  if (defaultRegion !== undefined && typeof defaultRegion !== "string") {
    fail(`${fn}: options.defaultRegion must be a string such as "US", got ${describe(defaultRegion)}`);
  }
  if (today !== undefined && typeof today !== "string") {
    fail(`${fn}: options.today must be a "YYYY-MM-DD" string, got ${describe(today)}`);
  }
  if (locale !== undefined && typeof locale !== "string") {
    fail(`${fn}: options.locale must be a BCP 47 tag such as "de" or "pt-BR", got ${describe(locale)}`);
  }
  if (messages !== undefined && (messages === null || typeof messages !== "object" || Array.isArray(messages))) {
    fail(`${fn}: options.messages must be an object of templates such as { invalid_email: "…" }, got ${describe(messages)}`);
  }
  const messagesText = messages === undefined ? undefined : argText(messages, fn, "options.messages");
  return [defaultRegion, today, locale, messagesText];
}

function checkShape(shape, fn) {
  if (!SHAPES.has(shape)) fail(`${fn}: shape must be "store" or "square", got ${typeof shape === "string" ? JSON.stringify(shape) : describe(shape)}`);
}

// A JSON-safe copy of any JS value, for what JSON.stringify refuses or the Rust side
// cannot read: BigInt, cycles, nesting past MAX_DEPTH, lone surrogates, throwing getters.
// Values JSON has no form for are dropped, as JSON.stringify drops them.
function sanitize(value, depth, seen) {
  try {
    switch (typeof value) {
      case "string":
        return value.toWellFormed();
      case "number":
        return Number.isFinite(value) ? value : null;
      case "boolean":
        return value;
      case "bigint":
        // A JSON integer when exact; otherwise its digits, which the rules call a non-integer.
        return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
      case "object":
        break;
      default:
        return undefined; // undefined, function, symbol
    }
    if (value === null || depth > MAX_DEPTH || seen.has(value)) return null;
    if (typeof value.toJSON === "function") return sanitize(value.toJSON(), depth, seen);
    seen.add(value);
    let out;
    if (Array.isArray(value)) {
      out = Array.from(value, (item) => sanitize(item, depth + 1, seen) ?? null);
    } else {
      out = {};
      for (const key of Object.keys(value)) {
        const item = sanitize(value[key], depth + 1, seen);
        if (item !== undefined) out[key.toWellFormed()] = item;
      }
    }
    seen.delete(value);
    return out;
  } catch {
    return null;
  }
}

function fastText(value) {
  try {
    return JSON.stringify(value) ?? "null";
  } catch {
    return null;
  }
}

// Calls `rust(text)` with `value` as JSON text; `""` from Rust means "not readable JSON".
function withJson(value, rust) {
  const text = fastText(value);
  const answer = text === null ? "" : rust(text);
  if (answer !== "") return JSON.parse(answer);
  const safe = JSON.stringify(sanitize(value, 0, new Set())) ?? "null";
  return JSON.parse(rust(safe) || rust("null"));
}

function argText(value, fn, what) {
  const text = fastText(value);
  if (text === null) fail(`${fn}: ${what} is not JSON-serializable`);
  return text;
}

// A Standard Schema v1 object over `shape`, judging with `opts` (optionArgs's list;
// none: region US, today from the clock, English). Each issue carries the violation's
// `code` and `params` beside Standard Schema's `message` and `path`.
function standardSchema(raw, shape, opts = []) {
  return Object.freeze({
    "~standard": Object.freeze({
      version: 1,
      vendor: VENDOR,
      validate: (value) => {
        useOptions(raw, opts);
        return withJson(value, (text) => raw.standardJson(shape, text));
      },
    }),
  });
}

// `{ formErrors, fieldErrors }` from a report: the messages about the request as a whole,
// and the others keyed by the path they are about (`"customer.email"`), in order.
function flattenErrors(report) {
  const errors = report?.errors;
  if (!Array.isArray(errors)) {
    fail(`flattenErrors: expects a report ({ valid, errors, value }), got ${describe(report)}`);
  }
  const formErrors = [];
  const fieldErrors = {};
  for (const error of errors) {
    const path = typeof error?.path === "string" ? error.path : "";
    const message = String(error?.message ?? "");
    if (path === "") formErrors.push(message);
    else (fieldErrors[path] ??= []).push(message);
  }
  return { formErrors, fieldErrors };
}

// The options each module last received (`setOptions`), per module rather than per API
// object, so that two APIs over one module can never see each other's.
const SENT_OPTIONS = new WeakMap();

// Sends the options to the module when they differ from what it holds: a form validates
// field after field with the same options, and resending them cost a copy of the strings
// and a region lookup per call. A rejected option (a TypeError) records nothing.
function useOptions(raw, opts) {
  const sent = SENT_OPTIONS.get(raw);
  if (sent !== undefined && sent.length === opts.length && sent.every((v, i) => v === opts[i])) return;
  raw.setOptions(...opts);
  SENT_OPTIONS.set(raw, opts);
}

// `localeUrl(tag)`: where the browser build finds a locale's catalogue file (the Node
// build has every locale inside and passes none).
export function makeApi(raw, localeUrl) {
  const validate = (rustFn, fn) => (input, options) => {
    useOptions(raw, optionArgs(options, fn));
    return withJson(input, rustFn);
  };
  // `current` is the customer as stored: JSON the caller already holds, so a value that
  // can't be JSON is a TypeError, not a report.
  const update = (shape, fn) => (patch, current, options) => {
    const opts = optionArgs(options, fn);
    const currentText = current === undefined || current === null ? "" : argText(current, fn, "the current customer");
    useOptions(raw, opts);
    return withJson(patch, (text) => raw.validateUpdateJson(shape, text, currentText));
  };
  return {
    validateStoreCustomer: validate((text) => raw.validateStoreJson(text), "validateStoreCustomer"),
    validateSquareCustomer: validate((text) => raw.validateSquareJson(text), "validateSquareCustomer"),
    validateStoreCustomerUpdate: update("store", "validateStoreCustomerUpdate"),
    validateSquareCustomerUpdate: update("square", "validateSquareCustomerUpdate"),
    validateField(shape, path, value, options) {
      checkShape(shape, "validateField");
      if (typeof path !== "string") fail(`validateField: path must be a string such as "customer.email", got ${describe(path)}`);
      useOptions(raw, optionArgs(options, "validateField"));
      return withJson(value, (text) => raw.validateFieldJson(shape, path, text));
    },
    parseStoreForm(urlencoded) {
      if (typeof urlencoded !== "string") {
        fail(`parseStoreForm: expects the form body as a string (new URLSearchParams(new FormData(form)).toString()), got ${describe(urlencoded)}`);
      }
      return JSON.parse(raw.parseStoreFormJson(urlencoded));
    },
    toSquare: (storeRequest) => JSON.parse(raw.toSquareJson(argText(storeRequest, "toSquare", "the store request"))),
    fromSquare: (squareRequest) =>
      JSON.parse(raw.fromSquareJson(argText(squareRequest, "fromSquare", "the Square request"))),
    storeCustomerSchema: standardSchema(raw, "store"),
    squareCustomerSchema: standardSchema(raw, "square"),
    storeCustomerUpdateSchema: standardSchema(raw, "store-update"),
    squareCustomerUpdateSchema: standardSchema(raw, "square-update"),
    createStoreCustomerSchema: configured(raw, "store", "createStoreCustomerSchema"),
    createSquareCustomerSchema: configured(raw, "square", "createSquareCustomerSchema"),
    createStoreCustomerUpdateSchema: configured(raw, "store-update", "createStoreCustomerUpdateSchema"),
    createSquareCustomerUpdateSchema: configured(raw, "square-update", "createSquareCustomerUpdateSchema"),
    flattenErrors,
    supportedRegions() {
      regions ??= Object.freeze(
        JSON.parse(raw.supportedRegionsJson())
          .sort((a, b) => (a.region < b.region ? -1 : 1))
          .map((r) => Object.freeze(r)),
      );
      return regions;
    },
    formatMessage(code, params, options) {
      if (typeof code !== "string") fail(`formatMessage: code must be a string such as "invalid_email", got ${describe(code)}`);
      const paramsText = params === undefined ? "{}" : argText(params, "formatMessage", "params");
      useOptions(raw, optionArgs(options, "formatMessage"));
      return raw.formatMessageJson(code, paramsText);
    },
    supportedLocales: () => JSON.parse(raw.localeJson("list", "")),
    addLocale(catalogue) {
      const text = typeof catalogue === "string" ? catalogue : argText(catalogue, "addLocale", "the catalogue");
      return raw.localeJson("add", text);
    },
    async loadLocale(tag) {
      if (typeof tag !== "string") fail(`loadLocale: expects a BCP 47 tag such as "de", got ${describe(tag)}`);
      const status = JSON.parse(raw.localeJson("status", tag));
      if (status.loaded) return { locale: status.locale, direction: status.direction };
      const url = localeUrl(status.locale);
      const said = `${VENDOR}: loadLocale(${JSON.stringify(tag)}): ${url}`;
      let response;
      try {
        response = await fetch(url);
      } catch (error) {
        throw new Error(`${said} could not be fetched (${error?.message ?? error}); calling loadLocale again retries.`);
      }
      if (!response.ok) throw new Error(`${said} answered HTTP ${response.status}; calling loadLocale again retries.`);
      raw.localeJson("add", await response.text());
      const loaded = JSON.parse(raw.localeJson("status", tag));
      return { locale: loaded.locale, direction: loaded.direction };
    },
    phoneEngine: raw.phoneEngine(),
  };
}

// `createStoreCustomerSchema({ defaultRegion, today, locale, messages })` and the like: the options are
// checked once, when the schema is made (a bad one throws there, not at each validation).
function configured(raw, shape, fn) {
  return (options) => {
    const opts = optionArgs(options, fn);
    useOptions(raw, opts);
    return standardSchema(raw, shape, opts);
  };
}

// Built once: the regions never change within a module.
let regions = null;
