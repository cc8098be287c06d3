// The sign-up page: every field is checked by the package's browser build (the same Rust
// rules the server runs), then the store form is posted to the public sign-up route and
// the Square form to the server's validator. The page never holds an API token.
import { COUNTRY_CODES } from "./countries.js";

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

// Loaded without blocking: the form is usable at once, and what was typed meanwhile is
// checked in onReady().
let cv = null;
const ready = import("/pkg/browser.js").then(
  (module) => {
    cv = module;
    onReady();
    return module;
  },
  (error) => {
    $("#engine-status").textContent = "The checks could not load; the shop will still check your details when you send them.";
    console.error(error);
    return null;
  },
);

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
  return { defaultRegion: regionSelect(form).value || "US", today: today() };
}

// ---------------------------------------------------------------------------------------
// Countries: one list for the address and the phone selectors, named in the reader's
// language by the browser itself.

const regionNames = (() => {
  try {
    return new Intl.DisplayNames([navigator.language, "en"], { type: "region" });
  } catch {
    return null;
  }
})();
function countryName(code) {
  if (code === "ZZ") return "Unknown";
  try {
    return regionNames?.of(code) ?? code;
  } catch {
    return code;
  }
}
const COUNTRIES = COUNTRY_CODES.map((code) => ({ code, name: countryName(code) })).sort((a, b) =>
  a.name.localeCompare(b.name),
);
const guessedRegion = (() => {
  const region = (navigator.language || "").split("-")[1]?.toUpperCase();
  return COUNTRY_CODES.includes(region) && region !== "ZZ" ? region : "US";
})();

function fillCountries(select, { placeholder = false, value } = {}) {
  const keep = value ?? select.value;
  select.replaceChildren();
  if (placeholder) select.append(new Option("—", ""));
  for (const { code, name } of COUNTRIES) {
    if (!placeholder && code === "ZZ") continue;
    select.append(new Option(`${name} (${code})`, code));
  }
  select.value = keep;
}
fillCountries($("#s-region"), { value: guessedRegion });
fillCountries($("#q-region"), { value: guessedRegion });
fillCountries($("#q-country"), { placeholder: true, value: "" });

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

function labelOf(input) {
  const label = input.id ? $(`label[for="${input.id}"]`) : $("label", input.closest("[data-field]"));
  if (!label) return "This field";
  const copy = label.cloneNode(true);
  copy.querySelectorAll(".opt").forEach((n) => n.remove());
  return copy.textContent.trim();
}

// Messages are Rails-style fragments ("is not a valid email address"), so they read as
// "Email is not a valid email address"; the few whole sentences are shown as they are.
function sentence(input, message) {
  if (/^(email or phone|at least one)/.test(message)) return message[0].toUpperCase() + message.slice(1);
  return `${labelOf(input)} ${message}`;
}

function render(input) {
  const s = st(input);
  const form = input.form;
  const showLocal = s.touched || form?.dataset.submitted === "1";
  const messages = [...(showLocal ? s.local : []), ...s.cross, ...s.server].map((m) => sentence(input, m));
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
  hint.textContent = e164 ? `Saved as ${e164}` : "";
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
    else loose.push(message[0].toUpperCase() + message.slice(1) + (path ? ` (${path})` : ""));
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
    if ($("#s-phone").value) checkField($("#s-phone"));
  }
  if (name) {
    $("#store-name").textContent = name;
    document.title = `Join ${name}`;
  }
  const select = $("#s-card");
  const keep = select.value;
  for (const card of cards) {
    const extra = card.initial_stamps ? ` — ${card.initial_stamps} welcome stamp${card.initial_stamps === 1 ? "" : "s"}` : "";
    select.append(new Option(`${card.name}${extra}`, String(card.id)));
  }
  select.value = keep || (cards[0] ? String(cards[0].id) : "");
  return config;
}
loadConfig().catch((error) => {
  console.warn(error);
  setStatus($("#store-status"), "We couldn't load the shop's cards yet; you can still fill in the form.", "warn");
});

storeForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = $("#store-status");
  const button = $("#store-submit");
  storeForm.dataset.submitted = "1";
  if (!cv) setStatus(status, "Loading the checks…");
  if (!(await ready)) return setStatus(status, "The checks could not load. Please reload the page.", "error");
  const report = cv.validateStoreCustomer(storeRequest(), options(storeForm));
  clearServerErrors(storeForm);
  const first = showErrors(storeForm, $("#store-errors"), report.errors);
  if (!report.valid) {
    setStatus(status, "Please fix the highlighted fields.", "error");
    first?.focus();
    return;
  }
  button.disabled = true;
  setStatus(status, "Sending…");
  let response;
  try {
    const { accountId } = await loadConfig();
    // The normalized request: the phone is already E.164 for the region chosen here.
    const honeypot = $("#s-website").value;
    response = await fetch(`/join/${encodeURIComponent(accountId)}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(honeypot ? { ...report.value, website: honeypot } : report.value),
    });
  } catch (error) {
    console.warn(error);
    button.disabled = false;
    setStatus(status, "We couldn't reach the shop. Everything you typed is still here — please try again in a moment.", "error");
    return;
  }
  button.disabled = false;
  const body = await response.json().catch(() => null);
  if (response.status === 202 && body) {
    setStatus(status, "You're in!", "ok");
    showSignup(report.value, body.message);
  } else if (response.status === 429) {
    const wait = Number(response.headers.get("retry-after")) || 60;
    setStatus(status, `Too many sign-ups from here just now. Everything you typed is still here — please try again in ${wait} seconds.`, "error");
  } else if (response.status === 422 && body?.errors && typeof body.errors === "object") {
    const errors = Object.entries(body.errors).flatMap(([key, messages]) =>
      (Array.isArray(messages) ? messages : [String(messages)]).map((message) => ({
        path: key === "card_id" || key === "send_card_links" || key === "" ? key : `customer.${key}`,
        message,
      })),
    );
    const first = showErrors(storeForm, $("#store-errors"), errors, { server: true });
    setStatus(status, "The shop could not accept these details: please check the highlighted fields.", "error");
    first?.focus();
  } else {
    const why = body?.error ? `: ${body.error}` : "";
    setStatus(status, `The shop answered ${response.status}${why}. Everything you typed is still here — please try again.`, "error");
  }
});

// The sign-up route answers a new customer and a known one alike (it tells nobody who is a
// customer), so the page shows what was sent, never anything from the shop's records.
function showSignup(request, message) {
  const section = $("#store-result");
  const customer = request.customer ?? {};
  const name = [customer.first_name, customer.last_name].filter(Boolean).join(" ");
  $("#store-result-title").textContent = customer.first_name ? `Welcome, ${customer.first_name}!` : "Welcome!";
  $("#store-result-message").textContent = message ?? "";
  const card = config?.cards?.find((c) => c.id === request.card_id);
  const dl = $("#store-result-fields");
  dl.replaceChildren();
  for (const [label, value] of [
    ["Name", name],
    ["Email", customer.email],
    ["Phone", customer.phone],
    ["Birthday", customer.birthday],
    ["Card", card?.name],
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
  if (!cv) setStatus(status, "Loading the checks…");
  if (!(await ready)) return setStatus(status, "The checks could not load. Please reload the page.", "error");
  const request = squareRequest();
  const opts = options(squareForm);
  const local = cv.validateSquareCustomer(request, opts);
  showErrors(squareForm, $("#square-errors"), local.errors);
  $("#square-local").textContent = JSON.stringify(local, null, 2);
  $("#square-server").textContent = "…";
  $("#square-compare").hidden = false;
  $("#square-verdict").textContent = "Asking the server…";
  setStatus(status, "Sending…");
  const query = new URLSearchParams({ default_region: opts.defaultRegion, today: opts.today });
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
    $("#square-verdict").textContent = "The server could not be asked.";
    $("#square-compare").dataset.same = "unknown";
    setStatus(status, "We couldn't reach the server. Everything you typed is still here — please try again.", "error");
    return;
  }
  $("#square-server").textContent = JSON.stringify(server, null, 2);
  const same = JSON.stringify(canonical(local)) === JSON.stringify(canonical(server));
  const verdict = local.valid ? "valid" : `${local.errors.length} problem${local.errors.length === 1 ? "" : "s"}`;
  $("#square-compare").dataset.same = same ? "yes" : "no";
  $("#square-verdict").textContent = same
    ? `Identical: browser and server agree (${verdict}).`
    : "Different: the browser and the server disagree!";
  setStatus(status, local.valid ? "This request is valid." : "Please fix the highlighted fields.", local.valid ? "ok" : "error");
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
  // Phone selectors offer only the regions the phone rules know (Antarctica has no plan).
  for (const select of [$("#s-region"), $("#q-region")]) {
    for (const option of [...select.options]) {
      try {
        cv.validateField("store", "customer.phone", "", { defaultRegion: option.value });
      } catch {
        option.remove();
      }
    }
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
  $("#engine-status").textContent = "Your details are checked as you type, right here in your browser.";
  document.documentElement.dataset.ready = "1";
}
