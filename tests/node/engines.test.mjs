// The two builds differ only in the phone engine (`lite` in the browser build, `regex` in
// the Node build), so phones are where their verdicts could part: every row of the phone
// corpus (tests/data/phone-libphonenumber-9.0.33.tsv) through `validateField` in both
// builds must give the same violations, and the same normalized E.164.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ROOT, loadBuild } from "./helpers.mjs";

const lines = readFileSync(`${ROOT}tests/data/phone-libphonenumber-9.0.33.tsv`, "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
const header = lines.shift().split("\t");
const rows = lines.map((l) => Object.fromEntries(l.split("\t").map((v, i) => [header[i], v])));
const web = await loadBuild("web");
const node = await loadBuild("node");

test("both phone engines agree on every phone corpus row", () => {
  assert.ok(rows.length > 6000, `${rows.length} rows`);
  let accepted = 0;
  for (const { input, default_region } of rows) {
    // ZZ = no default region; ours always has one, US by default.
    const options = { defaultRegion: default_region === "ZZ" ? "US" : default_region, today: "2026-11-23" };
    const request = { customer: { first_name: "A", phone: input } };
    const fromWeb = web.validateStoreCustomer(request, options);
    const fromNode = node.validateStoreCustomer(request, options);
    assert.deepEqual(fromWeb, fromNode, `${default_region} ${JSON.stringify(input)}`);
    if (fromWeb.valid) accepted++;
  }
  // Most example numbers are valid: a sanity check that the engines did run.
  assert.ok(accepted > rows.length / 2, `${accepted} accepted`);
});
