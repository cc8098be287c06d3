// Issue 19: the sign-up page in the reader's language. Chromium with German, then Arabic,
// as its language: the page picks it from navigator.languages, every text switches, `lang`
// and `dir` follow, the rules' messages and the server's answers (a 422, the welcome)
// arrive in that language, and the language menu switches everything again. axe
// (@axe-core/playwright) checks the page in every state these tests reach: no serious or
// critical violation. Screenshots go to artifacts/e2e/.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { AxeBuilder } from "@axe-core/playwright";
import { formatMessage } from "../../pkg/node.js";
import { ROOT, openBrowser, openPage, screenshot, uniqueEmail } from "./harness.mjs";

const formTexts = (tag) => JSON.parse(readFileSync(join(ROOT, "www/locales", `${tag}.json`), "utf8")).texts;
const opened = [];
after(async () => {
  for (const browser of opened) await browser.close();
});

async function browserIn(locale) {
  const browser = await openBrowser({ locale });
  opened.push(browser);
  return browser;
}

/** axe on the page as it is now: no serious or critical violation. */
async function accessible(page, state) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    `axe, ${state}`,
  );
}

const text = (page, selector) => page.locator(selector).evaluate((el) => el.textContent.trim());

test("German: the page, the rules' messages and the server's 422 in German", async () => {
  const browser = await browserIn("de-DE");
  const { page, errors } = await openPage(browser.context);
  const de = formTexts("de");
  assert.equal(await page.getAttribute("html", "lang"), "de");
  assert.equal(await page.getAttribute("html", "dir"), "ltr");
  assert.equal(await page.inputValue("#language"), "de");
  assert.equal(await text(page, "#panel-store h1"), de.store_heading);
  assert.equal(await text(page, "label[for=s-first-name]"), de.first_name);
  assert.equal(await text(page, "#store-submit"), de.join);
  // The phone country follows the store (the demo store is in the US), not the language.
  await accessible(page, "German, empty form");

  await page.fill("#s-first-name", "Greta");
  await page.fill("#s-email", "greta@");
  await page.press("#s-email", "Tab");
  assert.equal(await text(page, "#s-email-error"), formatMessage("invalid_email", { reason: "domain" }, { locale: "de" }));
  await page.fill("#s-birthday", "2023-02-29");
  await page.press("#s-birthday", "Tab");
  assert.equal(
    await text(page, "#s-birthday-error"),
    formatMessage("invalid_date", { reason: "calendar", format: "YYYY-MM-DD" }, { locale: "de" }),
  );
  await screenshot(page, "lang-de-messages");
  await accessible(page, "German, messages shown");

  // A card the store doesn't have passes the rules but not the server: its 422 comes back in German.
  await page.fill("#s-email", uniqueEmail("greta"));
  await page.fill("#s-birthday", "");
  await page.evaluate(() => {
    const select = document.querySelector("#s-card");
    select.append(new Option("Karte 999999", "999999"));
    select.value = "999999";
  });
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/join/") && r.request().method() === "POST"),
    page.click("#store-submit"),
  ]);
  assert.equal(response.status(), 422);
  assert.match(response.url(), /[?&]locale=de\b/);
  assert.equal(response.headers()["content-language"], "de");
  const unknownCard = formatMessage("invalid_value", { reason: "unknown_card" }, { locale: "de" });
  await page.waitForFunction((m) => document.querySelector("#s-card-error").textContent === m, unknownCard);
  assert.equal(await text(page, "#store-status"), de.status_refused);
  await screenshot(page, "lang-de-server-422");
  await accessible(page, "German, the server's 422");
  // The browser logs the 422 it was expecting; nothing else may go wrong.
  assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), []);
  await page.close();
});

test("Arabic: right to left, a welcome from the server in Arabic, and the menu switches back", async () => {
  const browser = await browserIn("ar-EG");
  const { page, errors } = await openPage(browser.context);
  const ar = formTexts("ar");
  assert.equal(await page.getAttribute("html", "lang"), "ar");
  assert.equal(await page.getAttribute("html", "dir"), "rtl");
  assert.equal(await text(page, "#panel-store h1"), ar.store_heading);
  // Laid out right to left: the first name's field is right of the last name's.
  const first = await page.locator("#s-first-name").boundingBox();
  const last = await page.locator("#s-last-name").boundingBox();
  assert.ok(first.x > last.x, "first name on the right");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, "nothing sticks out sideways");

  await page.fill("#s-first-name", "ليلى");
  await page.focus("#s-email");
  await page.press("#s-email", "Tab");
  const reach = formatMessage("email_or_phone_required", {}, { locale: "ar" });
  assert.equal(await text(page, "#s-email-error"), reach);
  await screenshot(page, "lang-ar-messages");
  await accessible(page, "Arabic, messages shown");

  await page.fill("#s-email", uniqueEmail("layla"));
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/join/") && r.request().method() === "POST"),
    page.click("#store-submit"),
  ]);
  assert.equal(response.status(), 202);
  assert.equal(response.headers()["content-language"], "ar");
  await page.waitForSelector("#store-result:not([hidden])");
  assert.equal(await text(page, "#store-result-message"), formatMessage("signup_accepted", {}, { locale: "ar" }));
  assert.equal(await text(page, "#store-result-title"), ar.welcome_name.replace("{name}", "ليلى"));
  await screenshot(page, "lang-ar-welcome");
  await accessible(page, "Arabic, welcome");

  // The menu: to Japanese, then English; texts, direction and the address bar follow.
  await page.selectOption("#language", "ja");
  await page.waitForFunction(() => document.documentElement.lang === "ja");
  assert.equal(await page.getAttribute("html", "dir"), "ltr");
  assert.equal(await text(page, "#panel-store h1"), formTexts("ja").store_heading);
  assert.match(page.url(), /[?&]lang=ja\b/);
  await page.selectOption("#language", "en");
  await page.waitForFunction(() => document.documentElement.lang === "en");
  assert.equal(await text(page, "#panel-store h1"), formTexts("en").store_heading);
  await accessible(page, "English after the menu");
  assert.deepEqual(errors, []);
  await page.close();
});

test("?lang= wins over the browser's languages, and every locale's page has no serious axe violation", async () => {
  const browser = await browserIn("de-DE");
  const options = await (async () => {
    const { page } = await openPage(browser.context);
    const tags = await page.locator("#language option").evaluateAll((os) => os.map((o) => o.value));
    await page.close();
    return tags;
  })();
  assert.equal(options.length, 14);
  for (const tag of options) {
    const { page, errors } = await openPage(browser.context, `/?lang=${tag}`);
    assert.equal(await page.getAttribute("html", "lang"), tag);
    assert.equal(await text(page, "#panel-store h1"), formTexts(tag).store_heading, tag);
    await page.click("#store-submit");
    await page.waitForSelector("#store-status[data-kind=error]");
    assert.equal(await text(page, "#s-first-name-error"), formatMessage("required", {}, { locale: tag }), tag);
    await accessible(page, `${tag}, submitted empty`);
    assert.deepEqual(errors, [], tag);
    await page.close();
  }
});
