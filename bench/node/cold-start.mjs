// Cold start of the browser build in headless Chromium, measured in the page: fetch +
// compile + instantiate (importing pkg/browser.js) + the first full validation. Each run
// is a fresh browser context (its own empty cache; the server sends no-store), so nothing is reused between runs.
import { fileURLToPath } from "node:url";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, serve } from "../../tests/node/browser.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RUNS = Number(process.env.COLD_RUNS ?? 7);
const dir = mkdtempSync(join(tmpdir(), "cv-cold-"));
writeFileSync(join(dir, "cold.html"), `<!doctype html><script type="module">
  const t0 = performance.now();
  const api = await import("/pkg/browser.js");
  const t1 = performance.now();
  const report = api.validateStoreCustomer({ customer: { first_name: "Amelia", email: "amelia@EXAMPLE.com", phone: "+44 20 7946 0018", birthday: "1998-09-21" } });
  const t2 = performance.now();
  window.__result = { load: t1 - t0, first: t2 - t1, total: t2 - t0, valid: report.valid };
</script>`);

const server = await serve({ "/pkg/": `${ROOT}pkg/`, "/": dir });
const browser = await launch();
const runs = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/cold.html`);
    await page.waitForFunction(() => window.__result !== undefined);
    runs.push(await page.evaluate(() => window.__result));
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
if (!runs.every((r) => r.valid)) throw new Error("the first validation gave the wrong verdict");
const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
console.log(`Chromium cold start (browser build, median of ${RUNS} fresh contexts): fetch+compile+instantiate ${median("load").toFixed(1)} ms, first full validation ${median("first").toFixed(1)} ms, total ${median("total").toFixed(1)} ms (bar ≤ 100 ms)`);
