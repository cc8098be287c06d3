// Issue 11: the browser build runs the phone engine's patterns on the host's RegExp
// (crates/regex-js, swapped in for regex-lite). Its verdicts and normalized phones must equal
// the `regex` engine's, which the Node build and the native library both run. The case table
// and the 6,840-row phone corpus are compared in parity.test.mjs and engines.test.mjs; here
// seeded fuzzed phone-like strings (Unicode digits, NBSP and other separators, extensions in
// several scripts, `tel:` and `;phone-context=`) go through both builds, REGEX_JS_FUZZ of them
// (200,000 by default; REGEX_JS_SEED replays another sequence), in Node and in Chromium.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PKG, ROOT, loadBuild } from "./helpers.mjs";
import { launch, pageResult, serve } from "./browser.mjs";
import { fuzzedPhones, parseCorpus, signature } from "./phone-fuzz.mjs";

const COUNT = Number(process.env.REGEX_JS_FUZZ ?? 200_000);
const SEED = Number(process.env.REGEX_JS_SEED ?? 11);
const SEEDS = parseCorpus(readFileSync(`${ROOT}tests/data/phone-libphonenumber-9.0.33.tsv`, "utf8"));

const web = await loadBuild("web");
const node = await loadBuild("node");

test(`browser build (host RegExp) equals the regex engine on ${COUNT} fuzzed phones`, () => {
  const mismatches = [];
  let valid = 0;
  for (const { input, region } of fuzzedPhones(SEEDS, SEED, COUNT)) {
    const options = { defaultRegion: region, today: "2026-11-23" };
    const request = { customer: { first_name: "A", phone: input } };
    const a = web.validateStoreCustomer(request, options);
    const b = node.validateStoreCustomer(request, options);
    try {
      assert.deepEqual(a, b);
    } catch {
      mismatches.push({ region, input, web: a, node: b });
    }
    if (b.valid) valid++;
  }
  // The generator must reach both verdicts often, or the comparison proves little.
  assert.ok(valid > COUNT / 20 && valid < COUNT - COUNT / 20, `${valid} of ${COUNT} valid`);
  console.log(`# ${COUNT} fuzzed phones, ${valid} valid, ${mismatches.length} mismatches`);
  assert.deepEqual(mismatches.slice(0, 5), [], `${mismatches.length} mismatches`);
});

// The same sequence in Chromium: V8 in the browser is the engine the browser build is for,
// so its RegExp answers there are what users get. The page draws the inputs from the same
// seed, validates them with the browser build and hands back a signature of each report;
// the Node build (regex engine) supplies the expected signatures here.
test(`browser build in Chromium equals the regex engine on ${COUNT} fuzzed phones`, async () => {
  const inputs = [...fuzzedPhones(SEEDS, SEED, COUNT)];
  const expected = inputs.map(({ input, region }) =>
    signature(node.validateStoreCustomer({ customer: { first_name: "A", phone: input } }, { defaultRegion: region, today: "2026-11-23" })),
  );
  const browser = await launch();
  const server = await serve({
    "/pkg/": PKG,
    "/tests/": join(ROOT, "tests/node"),
    "/data/": join(ROOT, "tests/data"),
  });
  try {
    const got = await pageResult(browser, `${server.url}/tests/browser/phone-fuzz.html?seed=${SEED}&count=${COUNT}`, 600_000);
    assert.equal(got.error, undefined, got.error);
    assert.equal(got.engine, "host");
    assert.equal(got.signatures.length, COUNT);
    const mismatches = [];
    got.signatures.forEach((sig, i) => sig !== expected[i] && mismatches.push({ ...inputs[i], chromium: sig, regex: expected[i] }));
    console.log(`# Chromium: ${COUNT} fuzzed phones, ${mismatches.length} mismatches`);
    assert.deepEqual(mismatches.slice(0, 5), [], `${mismatches.length} mismatches`);
  } finally {
    await server.close();
    await browser.close();
  }
});
