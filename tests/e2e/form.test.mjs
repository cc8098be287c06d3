// www/ in headless Chromium against the real server: live checks, sign-up through the
// public route (checked through the token-protected API), an answer that says nothing of
// who is a customer, the honeypot, the Square tab's two identical reports, no token
// anywhere, phone-width layout.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { readFile } from "node:fs/promises";
import { formatMessage } from "../../pkg/node.js";
import { join } from "node:path";
import {
  BASE_URL,
  ROOT,
  apiToken,
  openBrowser,
  openPage,
  publicConfig,
  screenshot,
  uniqueEmail,
  uniqueUkPhone,
} from "./harness.mjs";

let browser;
before(async () => {
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});

const errorOf = (page, id) => page.locator(`#${id}-error`);

/** The state a user and a screen reader get from a field. */
async function fieldState(page, id) {
  return page.locator(`#${id}`).evaluate((el) => ({
    value: el.value,
    error: document.getElementById(`${el.id}-error`)?.textContent ?? "",
    ariaInvalid: el.getAttribute("aria-invalid"),
    describedBy: (el.getAttribute("aria-describedby") ?? "").split(" "),
    validationMessage: el.validationMessage,
    valid: el.validity.valid,
  }));
}

async function fillStore(page, { first = "Amelia", last = "Earhart", email, phone, region, birthday }) {
  await page.fill("#s-first-name", first);
  await page.fill("#s-last-name", last);
  if (email !== undefined) await page.fill("#s-email", email);
  if (region !== undefined) await page.selectOption("#s-region", region);
  if (phone !== undefined) await page.fill("#s-phone", phone);
  if (birthday !== undefined) await page.fill("#s-birthday", birthday);
}

/**
 * The sign-up answers without the customer's id (it would tell who is a customer), so the
 * tests find the one a sign-up made through the token API: a customer created just before
 * has the id before it. Only these tests write to the e2e database, one at a time.
 */
async function nextCustomerUrl() {
  const config = await publicConfig();
  const accountId = config.account_id ?? config.store?.id ?? config.id;
  const token = await apiToken();
  const response = await fetch(`${BASE_URL}/api/v1/accounts/${accountId}/customers`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ customer: { first_name: "Marker", email: uniqueEmail("marker") } }),
  });
  assert.equal(response.status, 201, "the marker customer is created");
  const marker = await response.json();
  return { url: `${BASE_URL}/api/v1/accounts/${accountId}/customers/${marker.id + 1}`, token };
}

/** Submits the store form and returns the /join response's status and JSON body. */
async function submitStore(page) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/join/") && r.request().method() === "POST"),
    page.click("#store-submit"),
  ]);
  return { status: response.status(), body: await response.json() };
}

describe("store sign-up form", () => {
  // Each row: what is typed into the email field, then the message shown after leaving it
  // (the catalogue's, which says why).
  const EMAILS = [
    { typed: "amelia@", message: formatMessage("invalid_email", { reason: "domain" }) },
    { typed: "amelia..e@example.com", message: formatMessage("invalid_email", { reason: "dots" }) },
    { typed: "amelia@localhost", message: formatMessage("invalid_email", { reason: "single_label_domain" }) },
    { typed: "amelia@example.com", message: "" },
  ];

  test("an invalid email shows its message before submit and clears when fixed", async () => {
    const { page, requests } = await openPage(browser.context);
    await page.fill("#s-first-name", "Amelia");
    for (const { typed, message } of EMAILS) {
      await page.fill("#s-email", typed);
      await page.press("#s-email", "Tab");
      const state = await fieldState(page, "s-email");
      if (message) assert.equal(state.error, message, `error shown for ${typed}`);
      else assert.equal(state.error, "", `no error for ${typed}`);
      assert.equal(state.ariaInvalid, message ? "true" : "false", `aria-invalid for ${typed}`);
      assert.equal(state.validationMessage, state.error, `setCustomValidity for ${typed}`);
      assert.ok(state.describedBy.includes("s-email-error"), "the message is the field's description");
      if (typed === "amelia@") await screenshot(page, "01-invalid-email");
    }
    // Fixing the field while typing (not only on leaving it) clears the message.
    await page.fill("#s-email", "bad@");
    await page.press("#s-email", "Tab");
    assert.notEqual((await fieldState(page, "s-email")).error, "");
    await page.focus("#s-email");
    await page.keyboard.press("End");
    await page.keyboard.type("example.com");
    const fixed = await fieldState(page, "s-email");
    assert.equal(fixed.error, "");
    assert.equal(fixed.valid, true);
    assert.equal(requests.filter((r) => r.url().includes("/join/")).length, 0, "nothing was submitted");
    await page.close();
  });

  // Calendar rows: 1900 and 2023 are not leap years, 2000 and 2024 are.
  const NOT_A_DAY = formatMessage("invalid_date", { reason: "calendar", format: "YYYY-MM-DD" });
  const BIRTHDAYS = [
    { typed: "2023-02-29", message: NOT_A_DAY },
    { typed: "1900-02-29", message: NOT_A_DAY },
    { typed: "2024-02-29", message: "" },
    { typed: "2000-02-29", message: "" },
  ];

  test("a 29 February birthday is refused in a non-leap year, accepted in a leap year", async () => {
    const { page } = await openPage(browser.context);
    for (const { typed, message } of BIRTHDAYS) {
      await page.fill("#s-birthday", typed);
      await page.press("#s-birthday", "Tab");
      const state = await fieldState(page, "s-birthday");
      assert.equal(state.error, message, `birthday ${typed}`);
      assert.equal(state.ariaInvalid, message ? "true" : "false");
      if (typed === "2023-02-29") await screenshot(page, "02-feb-29-non-leap");
    }
    // Submitting with the bad date does not post; the message stays on the field.
    await page.fill("#s-birthday", "2023-02-29");
    await fillStore(page, { email: uniqueEmail("feb29") });
    await page.click("#store-submit");
    await assert.doesNotReject(page.waitForSelector("#store-status[data-kind=error]"));
    assert.equal((await fieldState(page, "s-birthday")).error, NOT_A_DAY);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "s-birthday", "focus moves to the field");
    await page.close();
  });

  test("email or phone: the rule shows on both fields once either is touched", async () => {
    const { page } = await openPage(browser.context);
    await page.fill("#s-first-name", "Amelia");
    await page.focus("#s-email");
    await page.press("#s-email", "Tab");
    for (const id of ["s-email", "s-phone"]) {
      assert.equal((await fieldState(page, id)).error, formatMessage("email_or_phone_required"), id);
    }
    const phone = uniqueUkPhone();
    await page.selectOption("#s-region", "GB");
    await page.fill("#s-phone", phone.typed);
    assert.equal(await page.textContent("#s-phone-hint"), `Saved as ${phone.e164}`);
    for (const id of ["s-email", "s-phone"]) assert.equal((await fieldState(page, id)).error, "", id);
    await screenshot(page, "03-email-or-phone-e164");
    await page.close();
  });

  test("a valid submit creates the customer, visible through the token-protected API", async () => {
    const { page, requests } = await openPage(browser.context);
    const email = uniqueEmail("amelia");
    const phone = uniqueUkPhone();
    await fillStore(page, {
      email: email.replace("@example.com", "@EXAMPLE.com"),
      region: "GB",
      phone: phone.typed,
      birthday: "1998-09-21",
    });
    assert.equal(await page.textContent("#s-phone-hint"), `Saved as ${phone.e164}`);
    const cards = await page.locator("#s-card option").count();
    assert.ok(cards >= 2, "the public config's cards are offered");
    const { url, token } = await nextCustomerUrl();
    const { status, body } = await submitStore(page);
    assert.equal(status, 202, JSON.stringify(body));
    assert.deepEqual(Object.keys(body).sort(), ["message", "status"], "nothing of the shop's records comes back");
    await page.waitForSelector("#store-result:not([hidden])");
    assert.match(await page.textContent("#store-result"), new RegExp(email.replace(/[.]/g, "\\.")));
    assert.equal(await page.textContent("#store-result-message"), body.message);
    await screenshot(page, "04-created");

    const unauthorized = await fetch(url);
    assert.equal(unauthorized.status, 401, "the read API needs the token");
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    const stored = await response.json();
    assert.equal(stored.email, email, "domain lower-cased");
    assert.equal(stored.phone, phone.e164);
    assert.equal(stored.birthday, "1998-09-21");
    assert.equal(stored.first_name, "Amelia");
    assert.deepEqual(stored.external_references, [], "the public form links no other accounts");
    assert.ok(stored.customer_cards?.length >= 1, "enrolled in the chosen card");
    for (const card of stored.customer_cards) {
      assert.match(card.apple_wallet_url, /^https?:\/\//);
      assert.match(card.google_wallet_url, /^https?:\/\//);
    }
    for (const request of requests) assert.equal(request.headers().authorization, undefined, request.url());
    await page.close();
  });

  test("a second sign-up with the same email looks exactly like the first", async () => {
    const email = uniqueEmail("twice");
    const first = await openPage(browser.context);
    await fillStore(first.page, { email });
    const firstAnswer = await submitStore(first.page);
    assert.equal(firstAnswer.status, 202);
    const firstShown = await first.page.textContent("#store-result-message");
    await first.page.close();

    const { page } = await openPage(browser.context);
    await fillStore(page, { first: "Another", email });
    const { url, token } = await nextCustomerUrl();
    const second = await submitStore(page);
    assert.deepEqual(second, firstAnswer, "same status, same body: the page can't tell who is a customer");
    await page.waitForSelector("#store-result:not([hidden])");
    assert.equal(await page.textContent("#store-result-message"), firstShown);
    assert.equal((await fieldState(page, "s-email")).error, "", "no 'already taken' under the field");
    await screenshot(page, "05-signup-again");
    const stored = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(stored.status, 404, "the second sign-up made no customer");
    await page.close();
  });

  test("the honeypot is out of people's way, and a bot that fills it stores nothing", async () => {
    const { page } = await openPage(browser.context);
    const trap = await page.locator("#s-website").evaluate((el) => {
      const box = el.getBoundingClientRect();
      return { right: box.right, bottom: box.bottom, tabIndex: el.tabIndex, hidden: el.closest("[aria-hidden=true]") !== null };
    });
    assert.ok(trap.right <= 0 || trap.bottom <= 0, "drawn off the screen");
    assert.equal(trap.tabIndex, -1, "not reached with Tab");
    assert.equal(trap.hidden, true, "hidden from screen readers");
    await fillStore(page, { email: uniqueEmail("bot") });
    await page.fill("#s-website", "http://spam.example");
    const { url, token } = await nextCustomerUrl();
    const { status } = await submitStore(page);
    assert.equal(status, 202, "the bot is told it worked");
    const stored = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(stored.status, 404, "and nothing was stored");
    await screenshot(page, "06-honeypot");
    await page.close();
  });

  test("a network failure keeps every value and says so", async () => {
    const { page } = await openPage(browser.context);
    await page.route("**/join/**", (route) => route.abort("connectionrefused"));
    const email = uniqueEmail("offline");
    await fillStore(page, { email, birthday: "1990-01-31" });
    await page.click("#store-submit");
    await page.waitForSelector("#store-status[data-kind=error]");
    assert.match(await page.textContent("#store-status"), /couldn't reach the shop.*still here/i);
    assert.equal(await page.inputValue("#s-email"), email);
    assert.equal(await page.inputValue("#s-birthday"), "1990-01-31");
    await screenshot(page, "07-network-failure");
    await page.close();
  });

  test("what is typed before the checks load is checked as soon as they are ready", async () => {
    let release;
    const held = new Promise((resolve) => (release = resolve));
    const page = await browser.context.newPage();
    await page.route("**/pkg/browser.js", async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${BASE_URL}/`);
    await page.fill("#s-email", "not-an-email");
    await page.fill("#s-birthday", "2023-02-29");
    assert.equal(await page.getAttribute("html", "data-ready"), null, "the checks are still loading");
    release();
    await page.waitForSelector("html[data-ready='1']");
    assert.equal((await fieldState(page, "s-email")).error, formatMessage("invalid_email", { reason: "at_sign" }));
    assert.equal((await fieldState(page, "s-birthday")).error, formatMessage("invalid_date", { reason: "calendar", format: "YYYY-MM-DD" }));
    await screenshot(page, "08-typed-before-ready");
    await page.close();
  });
});

describe("Square tab", () => {
  test("rejects a 301-character given name, accepts 09-21, and the server's report is identical", async () => {
    const { page } = await openPage(browser.context);
    await page.click("#tab-square");
    assert.equal(await page.isVisible("#panel-square"), true);
    // The address country list is the rules' ISO list, plus the empty choice.
    assert.equal(await page.locator("#q-country option").count(), 251);

    const rows = [
      { given: "x".repeat(301), birthday: "09-21", givenError: formatMessage("too_long", { max: 300 }), valid: false },
      { given: "x".repeat(300), birthday: "09-21", givenError: "", valid: true },
    ];
    for (const [i, row] of rows.entries()) {
      await page.fill("#q-given", row.given);
      await page.press("#q-given", "Tab");
      await page.fill("#q-birthday", row.birthday);
      await page.press("#q-birthday", "Tab");
      assert.equal((await fieldState(page, "q-given")).error, row.givenError);
      assert.equal((await fieldState(page, "q-birthday")).error, "", "MM-DD is a birthday");
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().includes("/api/v1/validate/square")),
        page.click("#square-submit"),
      ]);
      assert.equal(response.status(), 200);
      const server = await response.json();
      await page.waitForSelector("#square-compare[data-same=yes]");
      const local = JSON.parse(await page.textContent("#square-local"));
      const shown = JSON.parse(await page.textContent("#square-server"));
      assert.deepEqual(shown, server);
      assert.deepEqual(local, server, "browser and server reports are identical");
      assert.equal(server.valid, row.valid);
      assert.equal(server.value.birthday, "0000-09-21");
      if (!row.valid) assert.deepEqual(server.errors.map((e) => [e.path, e.code]), [["given_name", "too_long"]]);
      await screenshot(page, `09-square-${i === 0 ? "301-chars" : "valid-09-21"}`);
    }
    await page.close();
  });

  // Whole requests typed field by field: the browser's report and the server's must be
  // identical, whatever the verdict. `errors` lists the expected [path, code] pairs.
  const SQUARE_ROWS = [
    {
      name: "full valid request, GB phone and address",
      fill: { "#q-given": "Amelia", "#q-family": "Earhart", "#q-email": "amelia@Example.COM", "#q-phone": "020 7946 0018",
        "#q-line1": "1 Main St", "#q-locality": "London", "#q-postal": "SW1A 1AA", "#q-reference": "ref-1",
        "#q-birthday": "1998-09-21", "#q-vat": "IE3426675K", "#q-note": "line one\nline two" },
      select: { "#q-region": "GB", "#q-country": "GB" },
      errors: [],
    },
    {
      name: "bad phone, VAT with punctuation, 21-char postal code",
      fill: { "#q-company": "Stamp & Co", "#q-phone": "12ab", "#q-vat": "IE-342", "#q-postal": "1".repeat(21) },
      // A VAT id counts only for stores in the EU or the UK.
      select: { "#q-region": "GB" },
      errors: [["address.postal_code", "too_long"], ["phone_number", "invalid_phone"], ["tax_ids.eu_vat", "invalid_value"]],
    },
  ];

  for (const row of SQUARE_ROWS) {
    test(`identical reports: ${row.name}`, async () => {
      const { page } = await openPage(browser.context, "/#square");
      for (const [selector, value] of Object.entries(row.select)) await page.selectOption(selector, value);
      for (const [selector, value] of Object.entries(row.fill)) await page.fill(selector, value);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().includes("/api/v1/validate/square")),
        page.click("#square-submit"),
      ]);
      const server = await response.json();
      await page.waitForSelector("#square-compare[data-same=yes]");
      assert.deepEqual(JSON.parse(await page.textContent("#square-local")), server);
      const pairs = server.errors.map((e) => [e.path, e.code]).sort();
      assert.deepEqual(pairs, row.errors);
      for (const [path] of row.errors) {
        const error = await page.locator(`[data-path="${path}"]`).evaluate((el) => ({
          shown: document.getElementById(el.getAttribute("aria-describedby").split(" ").at(-1)).textContent,
          invalid: el.getAttribute("aria-invalid"),
        }));
        assert.notEqual(error.shown, "", `${path} shows its message`);
        assert.equal(error.invalid, "true");
      }
    });
  }
});

describe("the page", () => {
  test("carries no API token, in its source or in its requests", async () => {
    const token = await apiToken();
    const { page, requests, errors } = await openPage(browser.context);
    await fillStore(page, { email: uniqueEmail("notoken") });
    assert.equal((await submitStore(page)).status, 202);
    await page.click("#tab-square");
    await page.fill("#q-given", "Amelia");
    await Promise.all([page.waitForResponse((r) => r.url().includes("/validate/square")), page.click("#square-submit")]);
    const sources = [await page.content()];
    for (const file of ["index.html", "app.js", "countries.js", "style.css"]) {
      sources.push(await readFile(join(ROOT, "www", file), "utf8"));
    }
    for (const text of sources) {
      assert.ok(!text.includes(token), "the token is not in the page");
      assert.doesNotMatch(text, /authorization|bearer/i, "the page never sends credentials");
    }
    assert.ok(requests.length >= 5);
    for (const request of requests) {
      const headers = await request.allHeaders();
      assert.equal(headers.authorization, undefined, request.url());
      assert.ok(!request.url().includes(token), request.url());
      assert.ok(!(request.postData() ?? "").includes(token), request.url());
      for (const value of Object.values(headers)) assert.ok(!value.includes(token), request.url());
    }
    assert.deepEqual(errors, [], "no script errors and no failed loads");
    await page.close();
  });

  test("works at a 375 px wide viewport, with the keyboard alone", async () => {
    const { page } = await openPage(browser.context, "/", { viewport: { width: 375, height: 812 } });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling (overflow ${overflow}px)`);
    // Keyboard only: Tab from the top (the language menu, the tab) reaches the first field,
    // and focus is visible.
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "language");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "s-first-name");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none", "focus is visible");
    await page.keyboard.type("Amelia");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Earhart");
    await page.keyboard.press("Tab");
    await page.keyboard.type(uniqueEmail("narrow"));
    for (const id of ["s-first-name", "s-email", "s-phone", "store-submit"]) {
      const box = await page.locator(`#${id}`).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `${id} fits the screen`);
    }
    await page.focus("#store-submit");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().includes("/join/")),
      page.keyboard.press("Enter"),
    ]);
    assert.equal(response.status(), 202);
    await page.waitForSelector("#store-result:not([hidden])");
    await screenshot(page, "10-phone-width");
    // The tabs follow the ARIA pattern: arrow keys move between them.
    await page.focus("#tab-store");
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "tab-square");
    assert.equal(await page.isVisible("#panel-square"), true);
    const squareOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(squareOverflow <= 0, `the Square tab fits too (overflow ${squareOverflow}px)`);
    await page.close();
  });
});
