// The back office: list, search and edit a store's customers through the store API. The
// edit form is judged live by the package's `validateStoreCustomerUpdate` (the rules the
// server runs on the PATCH), and the server's 422s land under the fields they name. The
// API token lives in `session` only: never stored, sent only to this origin's API.
import { COUNTRY_CODES } from "./countries.js";

const $ = (selector) => document.querySelector(selector);

let cv = null;
import("/pkg/browser.js").then(
  (module) => {
    cv = module;
    $("#engine-status").textContent = "Checks ready.";
    document.documentElement.dataset.ready = "1";
    if (session.current) check();
  },
  (error) => {
    $("#engine-status").textContent = "The checks could not load; the server still checks every save.";
    document.documentElement.dataset.ready = "1";
    console.error(error);
  },
);

const PAGE_SIZE = 25;
const session = { token: "", account: "", page: 1, pages: 1, search: "", current: null, rows: [] };

// The edit form's fields: the store API's name, its input and its error line.
const FIELDS = [
  ["first_name", "#e-first-name"],
  ["last_name", "#e-last-name"],
  ["email", "#e-email"],
  ["phone", "#e-phone"],
  ["birthday", "#e-birthday"],
  ["metadata", "#e-metadata"],
  ["external_references", "#e-references"],
].map(([name, selector]) => ({ name, input: $(selector), error: $(`${selector}-error`) }));
const TEXT_FIELDS = FIELDS.filter((f) => f.input.tagName === "INPUT");

// ---------------------------------------------------------------------------------------
// The API.

async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${session.token}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  // `locale=en`: the server's 422s as sentences, like the package's messages beside them
  // (without it, the Store API answers its Rails-style fragments).
  const sep = path.includes("?") ? "&" : "?";
  const url = `/api/v1/accounts/${encodeURIComponent(session.account)}/customers${path}${sep}locale=en`;
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    return { status: 0, body: null, problem: `The server could not be reached (${error.message}).` };
  }
  const data = await response.json().catch(() => null);
  return { status: response.status, body: data, problem: problemOf(response, data) };
}

// What to tell the operator about a failed call that is not about a field.
function problemOf(response, data) {
  if (response.ok || response.status === 422) return null;
  if (response.status === 401) return "The token was not accepted for this store. Check the token and the store number.";
  if (response.status === 404) return "Not found: this store number or customer does not exist for this token.";
  if (response.status === 429) {
    return `Too many requests: try again in ${response.headers.get("Retry-After") ?? "a few"} seconds.`;
  }
  return `The server answered ${response.status}${data?.error ? `: ${data.error}` : ""}.`;
}

function say(element, text, kind = "") {
  element.textContent = text ?? "";
  element.dataset.kind = kind;
}

// ---------------------------------------------------------------------------------------
// Opening the store.

function fillRegions(selected) {
  const names = new Intl.DisplayNames([navigator.language, "en"], { type: "region" });
  const name = (code) => {
    try {
      return names.of(code) ?? code;
    } catch {
      return code;
    }
  };
  const select = $("#region");
  const options = COUNTRY_CODES.filter((c) => c !== "ZZ")
    .map((code) => ({ code, label: name(code) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  select.replaceChildren(...options.map(({ code, label }) => new Option(label, code, false, code === selected)));
}

fetch("/api/v1/public/config")
  .then((r) => (r.ok ? r.json() : null))
  .catch(() => null)
  .then((config) => {
    const store = config?.store;
    if (store && !$("#account").value) $("#account").value = String(store.id);
    fillRegions(store?.default_region ?? "US");
  });

$("#connect-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const token = $("#token").value.trim();
  const account = $("#account").value.trim();
  if (!token || !/^[0-9]+$/.test(account)) {
    say($("#connect-status"), "Paste the API token and the store's number.", "error");
    return;
  }
  Object.assign(session, { token, account, page: 1, search: "" });
  $("#search").value = "";
  closeEditor();
  if (await loadPage()) say($("#connect-status"), "Store open.", "ok");
});

// ---------------------------------------------------------------------------------------
// The list.

async function loadPage() {
  const query = new URLSearchParams({ page: String(session.page), items: String(PAGE_SIZE) });
  if (session.search) query.set("search", session.search);
  say($("#list-status"), "Loading…");
  const { status, body, problem } = await api("GET", `?${query}`);
  if (status !== 200) {
    const text = problem ?? Object.values(body?.errors ?? {}).flat().join(" ");
    say(status === 401 ? $("#connect-status") : $("#list-status"), text, "error");
    if (status === 401) $("#list-panel").hidden = true;
    return false;
  }
  $("#list-panel").hidden = false;
  session.rows = body.customers;
  session.pages = Math.max(1, body.pagination.pages);
  renderRows();
  const { count, page, pages } = body.pagination;
  const found = session.search ? `${count} found for “${session.search}”` : `${count} customers`;
  say($("#list-status"), count === 0 ? (session.search ? `No customer matches “${session.search}”.` : "No customers yet.") : found);
  $("#page-info").textContent = `Page ${page} of ${Math.max(1, pages)}`;
  $("#prev").disabled = page <= 1;
  $("#next").disabled = page >= pages;
  return true;
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  return td;
}

function renderRows() {
  const rows = session.rows.map((customer) => {
    const tr = document.createElement("tr");
    tr.dataset.id = String(customer.id);
    const name = [customer.first_name, customer.last_name].filter(Boolean).join(" ");
    const open = Object.assign(document.createElement("button"), { type: "button", className: "secondary small", textContent: "Edit" });
    open.setAttribute("aria-label", `Edit ${name}`);
    open.addEventListener("click", () => openCustomer(customer.id));
    const action = document.createElement("td");
    action.append(open);
    tr.append(cell(name), cell(customer.email), cell(customer.phone), cell(customer.created_at?.slice(0, 10)), action);
    return tr;
  });
  $("#customers tbody").replaceChildren(...rows);
}

$("#search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  session.search = $("#search").value.trim();
  session.page = 1;
  loadPage();
});
$("#prev").addEventListener("click", () => {
  session.page = Math.max(1, session.page - 1);
  loadPage();
});
$("#next").addEventListener("click", () => {
  session.page = Math.min(session.pages, session.page + 1);
  loadPage();
});

// ---------------------------------------------------------------------------------------
// The editor.

async function openCustomer(id) {
  const { status, body, problem } = await api("GET", `/${id}`);
  if (status !== 200) {
    say($("#list-status"), problem, "error");
    return;
  }
  show(body);
  $("#edit-panel").hidden = false;
  say($("#edit-status"), "");
  $("#e-first-name").focus();
}

function referencesOf(customer) {
  return (customer.external_references ?? []).map(({ source, external_id }) => ({ source, external_id }));
}

function show(customer) {
  session.current = customer;
  $("#edit-title").textContent = `Customer ${customer.id}: ${[customer.first_name, customer.last_name].filter(Boolean).join(" ")}`;
  for (const { name, input } of TEXT_FIELDS) input.value = customer[name] ?? "";
  $("#e-metadata").value = JSON.stringify(customer.metadata ?? {}, null, 2);
  $("#e-references").value = JSON.stringify(referencesOf(customer), null, 2);
  for (const field of FIELDS) setErrors(field, []);
  showFormErrors([]);
}

function closeEditor() {
  session.current = null;
  $("#edit-panel").hidden = true;
}
$("#close").addEventListener("click", closeEditor);

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// The patch: what the form changed, and nothing else (absent means unchanged). A text
// field emptied is sent blank, which removes it where the rules allow. `problems` are the
// boxes whose text is not JSON.
function patchOf() {
  const current = session.current;
  const patch = {};
  const problems = [];
  for (const { name, input } of TEXT_FIELDS) {
    if (input.value !== (current[name] ?? "")) patch[name] = input.value;
  }
  const json = (field, expected) => {
    const text = field.input.value.trim();
    if (!text) return expected === "object" ? {} : [];
    try {
      const value = JSON.parse(text);
      const ok = expected === "object" ? value && typeof value === "object" && !Array.isArray(value) : Array.isArray(value);
      if (ok) return value;
    } catch {
      // Reported below.
    }
    problems.push({ field, message: expected === "object" ? "Enter a JSON object, like {\"tier\": \"gold\"}." : "Enter a JSON list, like [{\"source\": \"shop\", \"external_id\": \"42\"}]." });
    return undefined;
  };
  const metadataField = FIELDS.find((f) => f.name === "metadata");
  const metadata = json(metadataField, "object");
  if (metadata !== undefined && !same(metadata, current.metadata ?? {})) {
    // Shallow merge on the server: a key the form dropped is removed by sending it null.
    const merged = { ...metadata };
    for (const key of Object.keys(current.metadata ?? {})) if (!(key in merged)) merged[key] = null;
    patch.metadata = merged;
  }
  const referencesField = FIELDS.find((f) => f.name === "external_references");
  const references = json(referencesField, "array");
  if (references !== undefined && !same(references, referencesOf(current))) patch.external_references = references;
  return { patch, problems };
}

// The field a report's or the server's path is about: `customer.email`, `email`,
// `metadata.tier`, `external_references[0].source`…
function fieldOf(path) {
  const relative = String(path ?? "").replace(/^customer\.?/, "");
  const head = relative.split(/[.[]/)[0];
  return FIELDS.find((f) => f.name === head) ?? null;
}

function setErrors(field, messages) {
  const unique = [...new Set(messages)];
  // The package's messages and the server's (asked for with `locale=en`) are sentences.
  field.error.textContent = unique.join(" ");
  if (unique.length) {
    field.input.setAttribute("aria-invalid", "true");
    field.input.setAttribute("aria-describedby", field.error.id);
  } else {
    field.input.removeAttribute("aria-invalid");
    field.input.removeAttribute("aria-describedby");
  }
}

function showFormErrors(messages) {
  const box = $("#edit-errors");
  box.textContent = messages.join(" ");
  box.hidden = messages.length === 0;
}

// Shows `errors` ({ path, message }) under their fields; returns how many there were.
function showErrors(errors) {
  const byField = new Map(FIELDS.map((f) => [f, []]));
  const loose = [];
  for (const { path, message } of errors) {
    const field = fieldOf(path);
    if (field) byField.get(field).push(path && !/^customer\.[a-z_]+$|^[a-z_]+$/.test(path) ? `${message} (${path.replace(/^customer\./, "")})` : message);
    else loose.push(message);
  }
  for (const [field, messages] of byField) setErrors(field, messages);
  showFormErrors(loose);
  return errors.length;
}

function options() {
  return { defaultRegion: $("#region").value || "US", today: new Date(Date.now() + 14 * 3600_000).toISOString().slice(0, 10) };
}

// Judges the form as it stands; returns the patch when it may be sent.
function check() {
  const { patch, problems } = patchOf();
  const errors = problems.map(({ field, message }) => ({ path: field.name, message }));
  if (cv && problems.length === 0) {
    const report = cv.validateStoreCustomerUpdate({ customer: patch }, session.current, options());
    errors.push(...report.errors);
  }
  showErrors(errors);
  return errors.length === 0 ? patch : null;
}

for (const { input } of FIELDS) input.addEventListener("input", () => session.current && check());

$("#edit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!session.current) return;
  const patch = check();
  if (!patch) {
    say($("#edit-status"), "Fix the marked fields first.", "error");
    document.querySelector("#edit-form [aria-invalid=true]")?.focus();
    return;
  }
  if (Object.keys(patch).length === 0) {
    say($("#edit-status"), "Nothing changed.");
    return;
  }
  $("#save").disabled = true;
  say($("#edit-status"), "Saving…");
  const { status, body, problem } = await api("PATCH", `/${session.current.id}`, { customer: patch });
  $("#save").disabled = false;
  if (status === 200) {
    show(body);
    say($("#edit-status"), "Saved.", "ok");
    const row = session.rows.findIndex((c) => c.id === body.id);
    if (row >= 0) session.rows[row] = body;
    renderRows();
    return;
  }
  if (status === 422) {
    // `{ errors: { email: ["has already been taken"], base: [...] } }`.
    const errors = Object.entries(body?.errors ?? {}).flatMap(([key, messages]) =>
      (Array.isArray(messages) ? messages : [String(messages)]).map((message) => ({ path: key === "base" ? "" : key, message })),
    );
    showErrors(errors);
    say($("#edit-status"), "The server refused the change.", "error");
    document.querySelector("#edit-form [aria-invalid=true]")?.focus();
    return;
  }
  say($("#edit-status"), problem, "error");
});
