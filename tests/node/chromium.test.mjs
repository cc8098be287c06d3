// The browser build in headless Chromium: the case table and the benchmark corpus through
// a plain `<script type="module">` (reports equal to the native ones), and a tiny app
// importing the installed package by name, bundled with esbuild and with Vite, that must
// take the browser build (phone engine `lite`) and validate in the page.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { launch, pageResult, serve } from "./browser.mjs";
import { PKG, ROOT } from "./helpers.mjs";

const NATIVE = process.env.NATIVE_REPORTS ?? `${ROOT}target/native-reports.json`;
const browser = await launch();
const project = mkdtempSync(join(tmpdir(), "cv-bundle-"));
test.after(async () => {
  await browser.close();
  rmSync(project, { recursive: true, force: true });
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

const APP = `
import { validateStoreCustomer, storeCustomerSchema, phoneEngine } from "customer-validation";
const report = validateStoreCustomer({ customer: { first_name: " Amelia ", phone: "(212) 555-4240" } }, { today: "2026-11-23" });
const issues = storeCustomerSchema["~standard"].validate({ customer: { first_name: "" } }).issues;
window.__result = { engine: phoneEngine, valid: report.valid, phone: report.value.customer.phone, paths: issues.map((i) => i.path) };
`;

function installPackage() {
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: project, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", project], { cwd: PKG, encoding: "utf8" }));
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "bundle-smoke", private: true, type: "module" }));
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", `./${filename}`]);
  writeFileSync(join(project, "app.mjs"), APP);
}

function checkApp(result) {
  assert.equal(result.engine, "host", "the bundle took the browser build");
  assert.equal(result.valid, true);
  assert.equal(result.phone, "+12125554240");
  assert.deepEqual(result.paths, [["customer", "first_name"], ["customer", "email"], ["customer", "phone"]]);
}

test("an esbuild bundle takes the browser build and runs in Chromium", async () => {
  installPackage();
  const out = join(project, "esbuild");
  await build({ entryPoints: [join(project, "app.mjs")], bundle: true, format: "esm", platform: "browser", outfile: join(out, "app.js"), logLevel: "silent", absWorkingDir: project });
  const bundle = readFileSync(join(out, "app.js"), "utf8");
  assert.ok(!bundle.includes("node:fs"), "no Node build code in the browser bundle");
  // esbuild keeps `new URL("./web/…wasm", import.meta.url)` as is: the .wasm ships beside the bundle.
  const wasmRef = bundle.match(/new URL\("\.\/(web\/customer_validation_bg\.wasm)"/);
  assert.ok(wasmRef, "the bundle fetches the browser build's .wasm");
  mkdirSync(dirname(join(out, wasmRef[1])), { recursive: true });
  cpSync(join(project, "node_modules/customer-validation", wasmRef[1]), join(out, wasmRef[1]));
  writeFileSync(join(out, "index.html"), '<!doctype html><script type="module" src="./app.js"></script>');
  const server = await serve({ "/": out });
  try {
    checkApp(await pageResult(browser, `${server.url}/index.html`));
  } finally {
    await server.close();
  }
});

test("a Vite build takes the browser build and runs in Chromium", async () => {
  writeFileSync(join(project, "index.html"), '<!doctype html><script type="module" src="./app.mjs"></script>');
  const vite = join(ROOT, "tests/node/node_modules/vite/bin/vite.js");
  try {
    execFileSync(process.execPath, [vite, "build", "--logLevel", "error", "--outDir", "vite-dist"], { cwd: project, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    assert.fail(`vite build failed:\n${e.stdout}${e.stderr}`);
  }
  const server = await serve({ "/": join(project, "vite-dist") });
  try {
    checkApp(await pageResult(browser, `${server.url}/index.html`));
  } finally {
    await server.close();
  }
});
