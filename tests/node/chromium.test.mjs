// The browser build in headless Chromium: the case table and the benchmark corpus through
// a plain `<script type="module">`, reports equal to the native ones. The packed package
// in bundlers, workers and frameworks is tests/consumers/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, pageResult, serve } from "./browser.mjs";
import { PKG, ROOT } from "./helpers.mjs";

const NATIVE = process.env.NATIVE_REPORTS ?? `${ROOT}target/native-reports.json`;
const browser = await launch();
test.after(async () => {
  await browser.close();
});

test("case table and corpus in Chromium equal the native reports", async () => {
  const server = await serve({
    "/pkg/": PKG,
    "/tests/": join(ROOT, "tests/node"),
    "/native-reports.json": NATIVE,
    "/case-table.html": join(ROOT, "tests/node/browser/case-table.html"),
  });
  try {
    const result = await pageResult(browser, `${server.url}/case-table.html`);
    assert.equal(result.error, undefined, result.error);
    assert.equal(result.engine, "host");
    assert.ok(result.rows >= 2000);
    assert.equal(result.mismatchCount, 0, JSON.stringify(result.mismatches, null, 1));
  } finally {
    await server.close();
  }
});
