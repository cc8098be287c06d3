// One text per code and locale, wherever it is rendered: every sample of
// tests/data/message-samples.json (each code, each reason, numbers in each plural form) in
// every locale of the catalogue through the CLI, both builds in Node, and the browser build
// in Chromium, which loads each locale as a page does (`loadLocale`, from pkg/locales/).
// The server words its answers with the same renderer; tests/server.rs holds its messages
// to the native ones in every locale.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, pageResult, serve } from "./browser.mjs";
import { loadBuild, PKG, ROOT } from "./helpers.mjs";

const SAMPLES_FILE = join(ROOT, "tests/data/message-samples.json");
const samples = JSON.parse(readFileSync(SAMPLES_FILE, "utf8"));
const CLI = process.env.CV_CLI ?? join(ROOT, "target/debug/customer-validation");
const builds = { web: await loadBuild("web"), node: await loadBuild("node") };
const locales = builds.node.supportedLocales();

function cli(locale) {
  const input = samples.map((s) => JSON.stringify(s)).join("\n");
  const run = spawnSync(CLI, ["messages", "--locale", locale], { input, encoding: "utf8" });
  assert.equal(run.status, 0, `${CLI} messages --locale ${locale}: ${run.stderr}`);
  return run.stdout.trim().split("\n").map((line) => JSON.parse(line).message);
}

const byCli = Object.fromEntries(locales.map((locale) => [locale, cli(locale)]));

test("the CLI lists the same locales as the package", () => {
  const listed = spawnSync(CLI, ["messages", "--list"], { encoding: "utf8" }).stdout.trim().split("\n");
  assert.deepEqual(listed, locales);
  assert.equal(locales.length, 14);
});

test("every locale words every sample differently from English", () => {
  for (const locale of locales.filter((l) => l !== "en")) {
    const same = byCli[locale].filter((m, i) => m === byCli.en[i]);
    assert.deepEqual(same, [], locale);
  }
});

for (const [build, api] of Object.entries(builds)) {
  test(`${build} build in Node: every code in every locale as the CLI words it`, () => {
    for (const locale of locales) {
      const got = samples.map(({ code, params }) => api.formatMessage(code, params, { locale }));
      assert.deepEqual(got, byCli[locale], locale);
    }
  });
}

test("Chromium, each locale loaded on demand: every code in every locale as the CLI words it", async () => {
  const browser = await launch();
  const server = await serve({
    "/pkg/": PKG,
    "/samples.json": SAMPLES_FILE,
    "/messages.html": join(ROOT, "tests/node/browser/messages.html"),
  });
  try {
    const result = await pageResult(browser, `${server.url}/messages.html`);
    assert.equal(result.error, undefined, result.error);
    // Before loadLocale, the browser build has English only and falls back to it.
    assert.equal(result.beforeLoad, byCli.en[0]);
    assert.equal(result.direction.ar, "rtl");
    assert.equal(result.direction.de, "ltr");
    for (const locale of locales) assert.deepEqual(result.byLocale[locale], byCli[locale], locale);
  } finally {
    await server.close();
    await browser.close();
  }
});

test("bad locale input is a clear error", () => {
  const api = builds.node;
  assert.throws(() => api.formatMessage("no_such_code", {}), /formatMessage: "no_such_code" is not a code/);
  assert.throws(() => api.validateStoreCustomer({}, { locale: "not a tag" }), /options\.locale.*BCP 47/);
  assert.throws(() => api.validateStoreCustomer({}, { locale: 7 }), /options\.locale must be/);
  assert.throws(() => api.validateStoreCustomer({}, { messages: { nope: "x" } }), /options\.messages.*"nope" is not a code/);
  assert.throws(() => api.validateStoreCustomer({}, { messages: { required: "{x, plural, one {y}}" } }), /needs an other case/);
  assert.throws(() => builds.web.addLocale("{}"), /addLocale: not a locale of the catalogue/);
  // A locale the catalogue lacks falls back along its parents, then to English.
  assert.equal(api.formatMessage("required", {}, { locale: "de-CH" }), api.formatMessage("required", {}, { locale: "de" }));
  assert.equal(api.formatMessage("required", {}, { locale: "ko" }), byCli.en[0]);
});
