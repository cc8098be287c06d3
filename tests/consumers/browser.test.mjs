// The packed package in the browser, each in a fresh project, loaded in Chromium: an app
// importing it by name built with esbuild, Vite, webpack 5 and Rollup; a module Web
// Worker; a page under a strict Content-Security-Policy; and `customer-validation/slim`
// loading its `.wasm` from another place. Each checks real verdicts on case-table rows.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { launch, pageResult, serve } from "../node/browser.mjs";
import { checkVerdicts, sampleRows } from "./rows.mjs";
import { BUILD_TOOLS, NODE_TOOLS, TOOLS, cleanUp, project, run } from "./project.mjs";

const tools = createRequire(join(TOOLS, "noop.js"));
const buildTools = createRequire(join(BUILD_TOOLS, "noop.js"));
const rows = sampleRows();
const browser = await launch();
after(async () => {
  await browser.close();
  cleanUp();
});

const INDEX = '<!doctype html><script type="module" src="./app.js"></script>';

async function openBuilt(dir, where, { headers } = {}) {
  const server = await serve({ "/": dir }, headers);
  try {
    const result = await pageResult(browser, `${server.url}/index.html`);
    assert.equal(result.error, undefined, result.error);
    assert.equal(result.engine, "host", `${where}: the browser build`);
    checkVerdicts(assert, result.verdicts, rows, where);
    return result;
  } finally {
    await server.close();
  }
}

test("esbuild: the bundle and the .wasm it names", async () => {
  const dir = project("esbuild", rows);
  const out = join(dir, "dist");
  await buildTools("esbuild").build({
    entryPoints: [join(dir, "app.js")],
    bundle: true,
    format: "esm",
    platform: "browser",
    outfile: join(out, "app.js"),
    logLevel: "silent",
    absWorkingDir: dir,
  });
  const bundle = readFileSync(join(out, "app.js"), "utf8");
  assert.ok(!bundle.includes("node:fs"), "no Node build code in the browser bundle");
  // esbuild leaves `new URL("./web/…wasm", import.meta.url)` as is: the .wasm ships beside the bundle.
  const wasm = bundle.match(/new URL\("\.\/(web\/customer_validation_bg\.wasm)"/)?.[1];
  assert.ok(wasm, "the bundle fetches the browser build's .wasm");
  mkdirSync(dirname(join(out, wasm)), { recursive: true });
  cpSync(join(dir, "node_modules/customer-validation", wasm), join(out, wasm));
  writeFileSync(join(out, "index.html"), INDEX);
  await openBuilt(out, "esbuild");
});

test("Vite: vite build", async () => {
  const dir = project("vite", rows);
  writeFileSync(join(dir, "index.html"), INDEX);
  run(process.execPath, [join(NODE_TOOLS, "vite/bin/vite.js"), "build", "--logLevel", "error", "--outDir", "dist"], dir);
  await openBuilt(join(dir, "dist"), "Vite");
});

test("webpack 5: production build, the .wasm emitted as an asset", async () => {
  const dir = project("webpack", rows);
  const webpack = tools("webpack");
  const out = join(dir, "dist");
  const stats = await new Promise((resolve, reject) =>
    webpack(
      {
        mode: "production",
        context: dir,
        entry: "./app.js",
        target: "web",
        output: { path: out, filename: "app.js", module: true, chunkFormat: "module" },
        experiments: { outputModule: true },
        infrastructureLogging: { level: "error" },
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
  assert.ok(!stats.hasErrors(), stats.toString({ all: false, errors: true }));
  assert.ok(
    Object.keys(stats.compilation.assets).some((name) => name.endsWith(".wasm")),
    "webpack emitted the .wasm",
  );
  writeFileSync(join(out, "index.html"), INDEX);
  await openBuilt(out, "webpack");
});

test("Rollup: node-resolve and import-meta-assets emit the .wasm", async () => {
  const dir = project("rollup", rows);
  const { rollup } = tools("rollup");
  const { nodeResolve } = tools("@rollup/plugin-node-resolve");
  const { importMetaAssets } = tools("@web/rollup-plugin-import-meta-assets");
  const bundle = await rollup({
    input: join(dir, "app.js"),
    plugins: [nodeResolve({ browser: true, exportConditions: ["browser"] }), importMetaAssets()],
    onwarn: (warning) => {
      throw new Error(`rollup: ${warning.message}`);
    },
  });
  const out = join(dir, "dist");
  const { output } = await bundle.write({ dir: out, format: "es", entryFileNames: "app.js" });
  await bundle.close();
  assert.ok(output.some((file) => file.fileName.endsWith(".wasm")), "Rollup emitted the .wasm");
  writeFileSync(join(out, "index.html"), INDEX);
  await openBuilt(out, "Rollup");
});

/** A project whose page loads the installed package's files as they are, at /pkg/. */
async function servedAsIs(name, page, headers) {
  const dir = project(name, rows);
  const server = await serve({ "/pkg/": join(dir, "node_modules/customer-validation"), "/": dir }, headers);
  try {
    return await pageResult(browser, `${server.url}/${page}`);
  } finally {
    await server.close();
  }
}

test("a module Web Worker validates with the package", async () => {
  const result = await servedAsIs("worker", "worker.html");
  assert.equal(result.error, undefined, result.error);
  assert.equal(result.engine, "host");
  checkVerdicts(assert, result.verdicts, rows, "module worker");
});

test("a page under Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'", async () => {
  const csp = { "content-security-policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'" };
  const result = await servedAsIs("csp", "csp.html", csp);
  assert.equal(result.error, undefined, result.error);
  assert.equal(result.engine, "host");
  checkVerdicts(assert, result.verdicts, rows, "strict CSP");
  // The control: without 'wasm-unsafe-eval' the browser refuses to compile the module, and
  // the package says so in its own words.
  const refused = await servedAsIs("csp-refused", "csp.html", { "content-security-policy": "script-src 'self'" });
  assert.match(refused.error ?? "", /^customer-validation: the \.wasm at .* could not be compiled/);
});

test("customer-validation/slim: clear errors before init and for a missing .wasm, then a .wasm from elsewhere", async () => {
  const dir = project("slim", rows);
  mkdirSync(join(dir, "cdn"));
  cpSync(join(dir, "node_modules/customer-validation/web/customer_validation_bg.wasm"), join(dir, "cdn/customer_validation_bg.wasm"));
  const server = await serve({ "/pkg/": join(dir, "node_modules/customer-validation"), "/": dir });
  let result;
  try {
    result = await pageResult(browser, `${server.url}/slim.html`);
  } finally {
    await server.close();
  }
  assert.match(result.errors.beforeInit, /^customer-validation: validateStoreCustomer was called before the \.wasm was loaded: await init\(\)/);
  assert.match(result.errors.missing, /^customer-validation: fetching the \.wasm at \/cdn\/missing\.wasm answered HTTP 404\..*again retries/);
  assert.match(result.errors.badArgument, /^customer-validation: init\(input\) takes the \.wasm as a URL/);
  assert.equal(result.engine, "host");
  checkVerdicts(assert, result.verdicts, rows, "slim");
});
