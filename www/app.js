// The sign-up page: every field is checked by the package's browser build (the same Rust
// rules the server runs), then the store form is posted to the public sign-up route and
// the Square form to the server's validator. The page never holds an API token.
//
// Every text is in a catalogue: the rules' messages in the package's (loaded with
// `loadLocale`), the page's own in www/locales/<tag>.json. The language menu lists the
// package's locales; the first choice comes from `?lang=`, else navigator.languages.
import { COUNTRY_CODES } from "./countries.js";

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

// Loaded without blocking: the form is usable at once, and what was typed meanwhile is
// checked in onReady().
let cv = null;
const ready = import("/pkg/browser.js").then(
  async (module) => {
    cv = module;
    await startLanguage();
    onReady();
    return module;
  },
  async (error) => {
    console.error(error);
    await useTexts("en");
    $("#engine-status").textContent = t("engine_failed");
    return null;
  },
);

// ---------------------------------------------------------------------------------------
// Language

// The page's locale (one of the package's), its texts, and the plural rules of its language
// (CLDR's, as the browser's Intl carries them).
let locale = "en";
let texts = {};
let plurals = new Intl.PluralRules("en");

// The text `key` with `{name}` parameters filled in; a missing key shows the key, never undefined.
function t(key, params = {}) {
  const text = texts[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

// The plural form of `key` for `n` (`welcome_stamps_one`, `_few`, …, else `_other`).
function tn(key, n, params = {}) {
  const form = `${key}_${plurals.select(n)}`;
  return t(form in texts ? form : `${key}_other`, { n: new Intl.NumberFormat(locale).format(n), ...params });
}

async function useTexts(tag) {
  const response = await fetch(`/locales/${encodeURIComponent(tag)}.json`);
  if (!response.ok) throw new Error(`/locales/${tag}.json: HTTP ${response.status}`);
  const file = await response.json();
  texts = file.texts;
  plurals = new Intl.PluralRules(tag);
  return file;
}

// Every element that names a text: its content (`data-i18n`) or attributes
// (`data-i18n-attr="aria-label:key"`).
function applyTexts() {
  for (const el of $$("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of $$("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":");
      el.setAttribute(attr, t(key));
    }
  }
  document.title = config?.name ? t("title_store", { name: config.name }) : t("title");
  fillCards();
}

// The locale a visitor asked for: `?lang=`, else the first of navigator.languages the
// catalogue has (English itself counts), else English.
async function pickLocale() {
  const asked = new URLSearchParams(location.search).get("lang");
  const candidates = [...(asked ? [asked] : []), ...(navigator.languages ?? [navigator.language])];
  for (const tag of candidates) {
    try {
      const { locale: found } = await cv.loadLocale(tag);
      if (found !== "en" || /^en\b/i.test(tag)) return found;
    } catch (error) {
      console.warn(error);
    }
  }
  return "en";
}

async function startLanguage() {
  const menu = $("#language");
  menu.replaceChildren();
  for (const tag of cv.supportedLocales()) {
    let name = tag;
    try {
      name = new Intl.DisplayNames([tag], { type: "language" }).of(tag) ?? tag;
    } catch {}
    const option = new Option(name[0].toLocaleUpperCase(tag) + name.slice(1), tag);
    option.lang = tag;
    menu.append(option);
  }
  menu.addEventListener("change", async () => {
    await setLocale(menu.value);
    const url = new URL(location.href);
    url.searchParams.set("lang", locale);
    history.replaceState(null, "", url);
  });
  await setLocale(await pickLocale());
}

// Switches everything the visitor reads: the page's texts, `lang` and `dir`, the country
// names, the rules' messages (checked again) and, unless a country was picked, the phone
// country of the language's region. Answers of the server in the old language are cleared.
async function setLocale(tag) {
  const { locale: found, direction } = await cv.loadLocale(tag);
  const file = await useTexts(found);
  locale = found;
  document.documentElement.lang = found;
  document.documentElement.dir = direction;
  $("#language").value = found;
  applyTexts();
  regionNames = displayNames(found);
  refillCountries();
  for (const select of [$("#s-region"), $("#q-region")]) {
    if (!select.dataset.picked && !storeRegionSet && [...select.options].some((o) => o.value === file.region)) {
      select.value = file.region;
    }
  }
  for (const form of [storeForm, squareForm]) {
    clearServerErrors(form);
    for (const input of fields(form)) checkField(input);
  }
  checkReach();
  if (cv) $("#engine-status").textContent = t("engine_ready");
}

const storeForm = $("#store-form");
const squareForm = $("#square-form");
const SHAPE = new Map([
  [storeForm, "store"],
  [squareForm, "square"],
]);

// Per input: touched (left or submitted once), local errors from the rules, cross-field
// errors (email-or-phone), and server errors kept until the value they were about changes.
const state = new WeakMap();
function st(input) {
  let s = state.get(input);
  if (!s) {
    s = { touched: false, local: [], cross: [], server: [], serverValue: undefined };
    state.set(input, s);
  }
  return s;
}

// "Today" as the rules judge it (the latest date anywhere, UTC+14), passed to the browser
// and the server alike so that both verdicts are about the same day.
function today() {
  return new Date(Date.now() + 14 * 3600_000).toISOString().slice(0, 10);
}

function regionSelect(form) {
  return form === storeForm ? $("#s-region") : $("#q-region");
}

function options(form) {
  return { defaultRegion: regionSelect(form).value || "US", today: today(), locale };
}

// ---------------------------------------------------------------------------------------
// Countries: one list for the address and the phone selectors, named in the reader's
// language by the browser itself.

function displayNames(tag) {
  try {
    return new Intl.DisplayNames([tag, "en"], { type: "region" });
  } catch {
    return null;
  }
}
let regionNames = displayNames(navigator.language);
function countryName(code) {
  if (code === "ZZ") return t("unknown_country");
  try {
    return regionNames?.of(code) ?? code;
  } catch {
    return code;
  }
}
// Named and sorted in the page's language.
function countries() {
  return COUNTRY_CODES.map((code) => ({ code, name: countryName(code) })).sort((a, b) =>
    a.name.localeCompare(b.name, locale),
  );
}
const guessedRegion = (() => {
  const region = (navigator.language || "").split("-")[1]?.toUpperCase();
  return COUNTRY_CODES.includes(region) && region !== "ZZ" ? region : "US";
})();

function fillCountries(select, { placeholder = false, value } = {}) {
  const keep = value ?? select.value;
  select.replaceChildren();
  if (placeholder) select.append(new Option("—", ""));
  for (const { code, name } of countries()) {
    if (!placeholder && code === "ZZ") continue;
    select.append(new Option(`${name} (${code})`, code));
  }
  select.value = keep;
}
fillCountries($("#s-region"), { value: guessedRegion });
fillCountries($("#q-region"), { value: guessedRegion });
fillCountries($("#q-country"), { placeholder: true, value: "" });

// After a language change: the same choices, named in the new language. The phone
// selectors keep only the regions the phone rules know.
function refillCountries() {
  const phoneRegions = new Set(cv?.supportedRegions().map((r) => r.region) ?? COUNTRY_CODES);
  for (const select of [$("#s-region"), $("#q-region")]) {
    fillCountries(select);
    for (const option of [...select.options]) if (!phoneRegions.has(option.value)) option.remove();
  }
  fillCountries($("#q-country"), { placeholder: true });
}

// ---------------------------------------------------------------------------------------
// Fields

function isField(el) {
  return el instanceof HTMLElement && el.dataset.path !== undefined;
}

function fields(form) {
  return $$("[data-path]", form);
}

// The request path of a field.
function pathOf(input) {
  return input.dataset.path;
}

function valueOf(input) {
  if (input.type === "checkbox") return input.checked;
  if (input.dataset.path === "card_id") return input.value === "" ? null : Number(input.value);
  return input.value;
}

function errorElement(input) {
  return $(".error", input.closest("[data-field]"));
}

function render(input) {
  const s = st(input);
  const form = input.form;
  const showLocal = s.touched || form?.dataset.submitted === "1";
  // Each message is a whole sentence in the page's language, shown as it is.
  const messages = [...(showLocal ? s.local : []), ...s.cross, ...s.server];
  const unique = [...new Set(messages)];
  const el = errorElement(input);
  if (el) el.textContent = unique.join(" ");
  input.setAttribute("aria-invalid", unique.length ? "true" : "false");
  input.setCustomValidity(unique.join(" "));
}

function checkField(input) {
  if (!cv || !isField(input)) return;
  const form = input.form;
  const s = st(input);
  try {
    s.local = cv.validateField(SHAPE.get(form), pathOf(input), valueOf(input), options(form)).map((v) => v.message);
  } catch (error) {
    s.local = [String(error.message).replace(/^customer-validation: /, "")];
  }
  if (input.type === "tel") showE164(input);
  render(input);
}

// Shows the phone number as it will be saved, once the rules accept it.
function showE164(input) {
  const hint = $(`#${input.id}-hint`);
  if (!hint) return;
  const value = input.value.trim();
  if (!cv || value === "" || st(input).local.length) {
    hint.textContent = "";
    return;
  }
  const form = input.form;
  const report =
    form === storeForm
      ? cv.validateStoreCustomer({ customer: { phone: value } }, options(form))
      : cv.validateSquareCustomer({ phone_number: value }, options(form));
  const e164 = form === storeForm ? report.value?.customer?.phone : report.value?.phone_number;
  hint.textContent = e164 ? t("saved_as", { phone: e164 }) : "";
}

// Email or phone: once either has been touched, the rule's message shows on both.
function checkReach() {
  if (!cv) return;
  const email = $("#s-email");
  const phone = $("#s-phone");
  const active = st(email).touched || st(phone).touched || storeForm.dataset.submitted === "1";
  let errors = [];
  if (active) {
    try {
      errors = cv.validateStoreCustomer(storeRequest(), options(storeForm)).errors;
    } catch {
      errors = [];
    }
  }
  for (const input of [email, phone]) {
    const path = pathOf(input);
    st(input).cross = errors.filter((e) => e.code === "email_or_phone_required" && e.path === path).map((e) => e.message);
    render(input);
  }
}

function onEdit(input) {
  const s = st(input);
  if (s.server.length && valueOf(input) !== s.serverValue) s.server = [];
  checkField(input);
  if (input.form === storeForm && (input.id === "s-email" || input.id === "s-phone")) checkReach();
}

for (const form of [storeForm, squareForm]) {
  form.addEventListener("input", (e) => {
    if (isField(e.target)) onEdit(e.target);
  });
  form.addEventListener("change", (e) => {
    if (e.target.dataset.regionFor) {
      e.target.dataset.picked = "1";
      const phone = $(`#${e.target.dataset.regionFor}`);
      checkField(phone);
      if (form === storeForm) checkReach();
    } else if (isField(e.target) && (e.target.tagName === "SELECT" || e.target.type === "checkbox")) {
      // Text fields are handled by input and focusout: their change event comes on leaving
      // the field, where focusout decides whether to show the message.
      st(e.target).touched = true;
      onEdit(e.target);
    }
  });
  form.addEventListener("focusout", (e) => {
    if (!isField(e.target)) return;
    st(e.target).touched = true;
    // Leaving a field for the submit button: a message shown now would push the button
    // down between mousedown and mouseup and swallow the click; submit shows every message.
    if (e.relatedTarget?.type === "submit" && e.relatedTarget.form === form) return;
    checkField(e.target);
    if (form === storeForm && (e.target.id === "s-email" || e.target.id === "s-phone")) checkReach();
    else render(e.target);
  });
}

function describe(input) {
  const ids = [];
  const hint = input.id && $(`#${input.id}-hint`);
  if (hint) ids.push(hint.id);
  const error = errorElement(input);
  if (error?.id) ids.push(error.id);
  if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
}
fields(storeForm).forEach(describe);
fields(squareForm).forEach(describe);

// ---------------------------------------------------------------------------------------
// Requests

function storeRequest() {
  const customer = {};
  for (const input of $$("[data-path^='customer.']", storeForm)) {
    if (input.value.trim() !== "") customer[input.dataset.path.slice("customer.".length)] = input.value;
  }
  const request = { customer, send_card_links: $("#s-send-links").checked };
  const card = $("#s-card").value;
  if (card !== "") request.card_id = Number(card);
  return request;
}

function squareRequest() {
  const request = {};
  for (const input of fields(squareForm)) {
    const value = input.value;
    if (value.trim() === "") continue;
    const [head, tail] = input.dataset.path.split(".");
    if (tail === undefined) request[head] = value;
    else (request[head] ??= {})[tail] = value;
  }
  return request;
}

function fieldByPath(form, path) {
  return fields(form).find((input) => pathOf(input) === path);
}

// Puts a list of violations on the form: each on its field, the rest in the summary.
function showErrors(form, summary, errors, { server = false } = {}) {
  const byInput = new Map();
  const loose = [];
  for (const { path, message } of errors) {
    const input = fieldByPath(form, path);
    if (input) byInput.set(input, [...(byInput.get(input) ?? []), message]);
    else loose.push(message + (path ? ` (${path})` : ""));
  }
  for (const input of fields(form)) {
    const s = st(input);
    if (server) {
      s.server = byInput.get(input) ?? [];
      s.serverValue = valueOf(input);
    } else {
      s.local = byInput.get(input) ?? [];
      s.cross = [];
    }
    render(input);
  }
  summary.hidden = loose.length === 0;
  summary.textContent = loose.join(" ");
  return [...byInput.keys()][0] ?? (loose.length ? summary : null);
}

function setStatus(el, text, kind = "") {
  el.textContent = text;
  el.dataset.kind = kind;
}

function clearServerErrors(form) {
  for (const input of fields(form)) {
    st(input).server = [];
    render(input);
  }
}

// ---------------------------------------------------------------------------------------
// Store form: sign-up through the public route.

let config = null;
// Whether the store's country set the phone country (a language's region then doesn't).
let storeRegionSet = false;

// The card choices, named in the page's language.
function fillCards() {
  const select = $("#s-card");
  const keep = select.value;
  select.replaceChildren(new Option(t("no_card"), ""));
  for (const card of config?.cards ?? []) {
    const extra = card.initial_stamps ? ` — ${tn("welcome_stamps", card.initial_stamps)}` : "";
    select.append(new Option(`${card.name}${extra}`, String(card.id)));
  }
  select.value = keep;
}

async function loadConfig() {
  if (config) return config;
  const response = await fetch("/api/v1/public/config", { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`config: HTTP ${response.status}`);
  const body = await response.json();
  const accountId = body.account_id ?? body.store?.id ?? body.id;
  const cards = body.cards ?? body.store?.cards ?? [];
  const name = body.name ?? body.store_name ?? body.store?.name;
  if (accountId === undefined) throw new Error("config: no account_id");
  config = { accountId, cards, name };
  storeForm.action = `/join/${encodeURIComponent(accountId)}`;
  // A shop's customers mostly have local numbers: start the phone country at the store's,
  // unless the visitor already picked one.
  const storeRegion = body.store?.default_region ?? body.default_region;
  const phoneRegion = $("#s-region");
  if (storeRegion && !phoneRegion.dataset.picked && [...phoneRegion.options].some((o) => o.value === storeRegion)) {
    phoneRegion.value = storeRegion;
    storeRegionSet = true;
    if ($("#s-phone").value) checkField($("#s-phone"));
  }
  if (name) {
    $("#store-name").textContent = name;
    document.title = t("title_store", { name });
  }
  const select = $("#s-card");
  const keep = select.value;
  fillCards();
  select.value = keep || (cards[0] ? String(cards[0].id) : "");
  return config;
}
loadConfig().catch((error) => {
  console.warn(error);
  setStatus($("#store-status"), t("config_failed"), "warn");
});

storeForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = $("#store-status");
  const button = $("#store-submit");
  storeForm.dataset.submitted = "1";
  if (!cv) setStatus(status, t("status_loading"));
  if (!(await ready)) return setStatus(status, t("status_checks_failed"), "error");
  const report = cv.validateStoreCustomer(storeRequest(), options(storeForm));
  clearServerErrors(storeForm);
  const first = showErrors(storeForm, $("#store-errors"), report.errors);
  if (!report.valid) {
    setStatus(status, t("status_fix"), "error");
    first?.focus();
    return;
  }
  button.disabled = true;
  setStatus(status, t("status_sending"));
  let response;
  try {
    const { accountId } = await loadConfig();
    // The normalized request: the phone is already E.164 for the region chosen here.
    const honeypot = $("#s-website").value;
    // `?locale=`: the server answers (422s, the welcome) in the page's language.
    response = await fetch(`/join/${encodeURIComponent(accountId)}?locale=${encodeURIComponent(locale)}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(honeypot ? { ...report.value, website: honeypot } : report.value),
    });
  } catch (error) {
    console.warn(error);
    button.disabled = false;
    setStatus(status, t("status_unreachable"), "error");
    return;
  }
  button.disabled = false;
  const body = await response.json().catch(() => null);
  if (response.status === 202 && body) {
    setStatus(status, t("status_in"), "ok");
    showSignup(report.value, body.message);
  } else if (response.status === 429 && body?.error) {
    // The server's own sentence, in the page's language, with the wait.
    setStatus(status, body.error, "error");
  } else if (response.status === 422 && body?.errors && typeof body.errors === "object") {
    const errors = Object.entries(body.errors).flatMap(([key, messages]) =>
      (Array.isArray(messages) ? messages : [String(messages)]).map((message) => ({
        path: key === "card_id" || key === "send_card_links" || key === "" ? key : `customer.${key}`,
        message,
      })),
    );
    const first = showErrors(storeForm, $("#store-errors"), errors, { server: true });
    setStatus(status, t("status_refused"), "error");
    first?.focus();
  } else {
    setStatus(status, t("status_unexpected", { status: response.status }), "error");
  }
});

// The sign-up route answers a new customer and a known one alike (it tells nobody who is a
// customer), so the page shows what was sent, never anything from the shop's records.
function showSignup(request, message) {
  const section = $("#store-result");
  const customer = request.customer ?? {};
  const name = [customer.first_name, customer.last_name].filter(Boolean).join(" ");
  $("#store-result-title").textContent = customer.first_name ? t("welcome_name", { name: customer.first_name }) : t("welcome");
  $("#store-result-message").textContent = message ?? "";
  const card = config?.cards?.find((c) => c.id === request.card_id);
  const dl = $("#store-result-fields");
  dl.replaceChildren();
  for (const [label, value] of [
    [t("name"), name],
    [t("email"), customer.email],
    [t("phone"), customer.phone],
    [t("birthday"), customer.birthday],
    [t("card"), card?.name],
  ]) {
    if (value === undefined || value === null || value === "") continue;
    dl.append(Object.assign(document.createElement("dt"), { textContent: label }));
    dl.append(Object.assign(document.createElement("dd"), { textContent: String(value) }));
  }
  section.hidden = false;
  section.focus();
  section.scrollIntoView({ block: "nearest" });
}

// ---------------------------------------------------------------------------------------
// Square form: the browser's report beside the server's.

// Key order is not part of a report's meaning; compare with keys sorted.
function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
  }
  return value;
}

squareForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = $("#square-status");
  squareForm.dataset.submitted = "1";
  if (!cv) setStatus(status, t("status_loading"));
  if (!(await ready)) return setStatus(status, t("status_checks_failed"), "error");
  const request = squareRequest();
  const opts = options(squareForm);
  const local = cv.validateSquareCustomer(request, opts);
  showErrors(squareForm, $("#square-errors"), local.errors);
  $("#square-local").textContent = JSON.stringify(local, null, 2);
  $("#square-server").textContent = "…";
  $("#square-compare").hidden = false;
  $("#square-verdict").textContent = t("square_asking");
  setStatus(status, t("status_sending"));
  const query = new URLSearchParams({ default_region: opts.defaultRegion, today: opts.today, locale });
  let server;
  try {
    const response = await fetch(`/api/v1/validate/square?${query}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(request),
    });
    server = await response.json();
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${server?.error ?? ""}`);
  } catch (error) {
    $("#square-server").textContent = String(error.message ?? error);
    $("#square-verdict").textContent = t("square_not_asked");
    $("#square-compare").dataset.same = "unknown";
    setStatus(status, t("square_unreachable"), "error");
    return;
  }
  $("#square-server").textContent = JSON.stringify(server, null, 2);
  const same = JSON.stringify(canonical(local)) === JSON.stringify(canonical(server));
  const verdict = local.valid ? t("square_valid_verdict") : tn("problems", local.errors.length);
  $("#square-compare").dataset.same = same ? "yes" : "no";
  $("#square-verdict").textContent = same ? t("square_same", { verdict }) : t("square_different");
  setStatus(status, local.valid ? t("square_valid") : t("status_fix"), local.valid ? "ok" : "error");
});

// ---------------------------------------------------------------------------------------
// Tabs (ARIA tabs pattern: arrows move between tabs, Home/End jump).

const tabs = $$("[role=tab]");
function selectTab(tab, { focus = false } = {}) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute("aria-selected", String(on));
    t.tabIndex = on ? 0 : -1;
    $(`#${t.getAttribute("aria-controls")}`).hidden = !on;
  }
  if (focus) tab.focus();
  history.replaceState(null, "", tab.id === "tab-square" ? "#square" : location.pathname + location.search);
}
for (const tab of tabs) {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (e) => {
    const i = tabs.indexOf(tab);
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    selectTab(tabs[(to + tabs.length) % tabs.length], { focus: true });
  });
}
if (location.hash === "#square") selectTab($("#tab-square"));

// ---------------------------------------------------------------------------------------

function onReady() {
  for (const select of [$("#s-region"), $("#q-region")]) {
    if (select.value === "") select.value = "US";
  }
  // Whatever was typed while the module loaded is checked now.
  for (const form of [storeForm, squareForm]) {
    for (const input of fields(form)) {
      const s = st(input);
      if (input.type === "checkbox" || input.tagName === "SELECT") {
        if (s.touched) checkField(input);
      } else if (input.value !== "" || s.touched) {
        s.touched = true;
        checkField(input);
      }
    }
  }
  checkReach();
  $("#engine-status").textContent = t("engine_ready");
  document.documentElement.dataset.ready = "1";
}
