// www/admin.html in headless Chromium against the real server: opening the store with a
// pasted token, listing and searching with pages, editing a customer with live checks by
// the update rules, saving, and a taken email from the server shown under its field; the
// token is never stored and goes to nothing but the API.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { formatMessage } from "../../pkg/node.js";
import { BASE_URL, apiToken, openBrowser, openPage, publicConfig, screenshot, uniqueEmail } from "./harness.mjs";

let browser;
let token;
let account;
// A surname only this run's customers carry, so a search finds exactly them.
const TAG = `Admintest${process.pid}x${Date.now().toString(36)}`;
const CREATED = 30;
let takenEmail;

async function api(method, path, body) {
  const response = await fetch(`${BASE_URL}/api/v1/accounts/${account}/customers${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

before(async () => {
  browser = await openBrowser();
  token = await apiToken();
  account = (await publicConfig()).store.id;
  for (let i = 1; i <= CREATED; i++) {
    const email = uniqueEmail(`admin${i}`);
    const created = await api("POST", "", { customer: { first_name: `Grace${i}`, last_name: TAG, email } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
  takenEmail = uniqueEmail("taken");
  const other = await api("POST", "", { customer: { first_name: "Ada", last_name: "Taken", email: takenEmail } });
  assert.equal(other.status, 201);
});
after(async () => {
  await browser?.close();
});

async function openStore(page, withToken = token) {
  await page.fill("#token", withToken);
  await page.waitForFunction(() => document.querySelector("#account").value !== "");
  assert.equal(await page.inputValue("#account"), String(account), "the store number comes from the public config");
  await page.click("#connect-form button[type=submit]");
}

const rowNames = (page) => page.locator("#customers tbody tr td:first-child").allTextContents();

test("the back office lists, searches, edits with live checks, saves and shows a taken email", async () => {
  const { page, requests, errors } = await openPage(browser.context, "/admin");
  assert.equal(await page.title(), "Customers — back office");

  // A wrong token: said plainly, nothing listed.
  await openStore(page, "not-a-token");
  await page.waitForFunction(() => /not accepted/.test(document.querySelector("#connect-status").textContent));
  assert.equal(await page.isVisible("#list-panel"), false);

  await openStore(page);
  await page.waitForSelector("#list-panel:not([hidden]) #customers tbody tr");
  assert.match(await page.textContent("#list-status"), /^\d+ customers$/);

  // Search: this run's 30 customers, 25 on the first page, 5 on the second.
  await page.fill("#search", TAG);
  await page.click("#search-form button[type=submit]");
  await page.waitForFunction((n) => document.querySelector("#list-status").textContent.startsWith(`${n} found`), CREATED);
  assert.equal((await rowNames(page)).length, 25);
  assert.equal(await page.textContent("#page-info"), "Page 1 of 2");
  assert.ok((await rowNames(page)).every((name) => name.endsWith(TAG)));
  await screenshot(page, "admin-list");
  await page.click("#next");
  await page.waitForFunction(() => document.querySelector("#page-info").textContent === "Page 2 of 2");
  assert.equal((await rowNames(page)).length, CREATED - 25);
  assert.equal(await page.isDisabled("#next"), true);

  // Open one: the form holds the stored customer.
  const name = (await rowNames(page))[0];
  await page.click(`#customers tbody tr:first-child button`);
  await page.waitForSelector("#edit-panel:not([hidden])");
  assert.equal(`${await page.inputValue("#e-first-name")} ${await page.inputValue("#e-last-name")}`, name);
  const id = await page.locator("#customers tbody tr:first-child").getAttribute("data-id");

  // Live: a bad email is marked as it is typed, by the update rules.
  await page.fill("#e-email", "grace@@example.com");
  await page.waitForFunction(() => document.querySelector("#e-email").getAttribute("aria-invalid") === "true");
  assert.equal(await page.textContent("#e-email-error"), formatMessage("invalid_email", { reason: "at_sign" }));
  await screenshot(page, "admin-live-error");

  // The merged rule: this customer has no phone, so removing the email leaves no way to reach them.
  await page.fill("#e-email", "");
  await page.waitForFunction(() => document.querySelector("#e-phone").getAttribute("aria-invalid") === "true");
  assert.match(await page.textContent("#e-email-error"), /phone/i);
  // A first name can't be removed.
  await page.fill("#e-first-name", "  ");
  await page.waitForFunction(() => document.querySelector("#e-first-name").getAttribute("aria-invalid") === "true");
  await page.click("#save");
  await page.waitForFunction(() => /Fix the marked fields/.test(document.querySelector("#edit-status").textContent));

  // A good edit: saved, and the API has it.
  const newEmail = uniqueEmail("edited");
  await page.fill("#e-first-name", "Grace");
  await page.fill("#e-email", newEmail);
  await page.fill("#e-phone", "(212) 555-4240");
  await page.fill("#e-metadata", '{ "tier": "gold" }');
  await page.fill("#e-references", '[{ "source": "shop", "external_id": "' + TAG + '" }]');
  await page.waitForFunction(() => !document.querySelector("#edit-form [aria-invalid=true]"));
  await page.click("#save");
  await page.waitForFunction(() => document.querySelector("#edit-status").textContent === "Saved.");
  const stored = await api("GET", `/${id}`);
  assert.equal(stored.body.email, newEmail);
  assert.equal(stored.body.phone, "+12125554240", "normalized by the server's rules");
  assert.deepEqual(stored.body.metadata, { tier: "gold" });
  assert.equal(stored.body.external_references[0].external_id, TAG);
  assert.equal(await page.inputValue("#e-phone"), "+12125554240", "the form shows what was stored");
  await screenshot(page, "admin-saved");

  // A taken email passes the rules here; the server's 422 lands under the field.
  await page.fill("#e-email", takenEmail.toUpperCase());
  await page.waitForFunction(() => !document.querySelector("#edit-form [aria-invalid=true]"));
  await page.click("#save");
  const taken = formatMessage("taken");
  await page.waitForFunction((text) => document.querySelector("#e-email-error").textContent === text, taken);
  assert.equal(await page.getAttribute("#e-email", "aria-invalid"), "true");
  assert.equal((await api("GET", `/${id}`)).body.email, newEmail, "nothing changed");
  await screenshot(page, "admin-taken");

  // The token: in no storage, and sent to this origin's API only.
  const stores = await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]);
  assert.deepEqual(stores, [0, 0, ""]);
  const withToken = requests.filter((r) => r.headers().authorization);
  assert.ok(withToken.length > 0);
  for (const request of withToken) {
    assert.ok(request.url().startsWith(`${BASE_URL}/api/v1/accounts/`), request.url());
  }
  // The browser logs each 401 and 422 it was answered; nothing else may fail.
  assert.deepEqual(errors.filter((e) => !/Failed to load resource: the server responded with a status of (401|422)/.test(e)), []);
  await page.close();
});
