// Sizes of each build as shipped (.wasm + JS glue + wrapper), raw, gzip -9 and brotli
// (quality 11), next to the JS stack bundled with esbuild (minified, tree-shaken); then
// the browser build as the server (`make run`) sends it: the zopfli `.gz` files `make pkg`
// writes, which are gzip to the browser.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { createRequire } from "node:module";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PKG = `${ROOT}pkg/`;
const { build } = createRequire(`${ROOT}mk/tools/package.json`)("esbuild");

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
function measure(bytes) {
  return {
    raw: bytes.length,
    gz: gzipSync(bytes, { level: 9 }).length,
    br: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length,
  };
}
const row = (name, m) => console.log(`${name.padEnd(34)} ${kb(m.raw).padStart(10)} ${kb(m.gz).padStart(10)} ${kb(m.br).padStart(10)}`);

console.log(`${"".padEnd(34)} ${"raw".padStart(10)} ${"gzip -9".padStart(10)} ${"brotli".padStart(10)}`);
const results = {};
for (const [build_, entry] of [["web", "browser.js"], ["node", "node.js"]]) {
  const wasm = measure(readFileSync(`${PKG}${build_}/customer_validation_bg.wasm`));
  // The JS a page loads: wasm-bindgen's glue, our wrapper and the entry, minified together.
  const bundle = await build({ entryPoints: [`${PKG}${entry}`], bundle: true, minify: true, format: "esm", platform: build_ === "web" ? "browser" : "node", write: false, logLevel: "silent" });
  const glue = measure(Buffer.from(bundle.outputFiles[0].contents));
  const total = { raw: wasm.raw + glue.raw, gz: wasm.gz + glue.gz, br: wasm.br + glue.br };
  row(`${build_} build .wasm`, wasm);
  row(`${build_} build JS (glue+wrapper, min)`, glue);
  row(`${build_} build total`, total);
  results[build_] = total;
}
const served = ["browser.js.gz", "web/customer_validation_bg.wasm.gz"].map((f) => readFileSync(`${PKG}${f}`).length);
const servedTotal = served[0] + served[1];
console.log(`web build as \`make run\` serves it (zopfli gzip): ${kb(served[1])} .wasm + ${kb(served[0])} JS = ${kb(servedTotal)}; issue 11 bar ≤ 130 KB gz: ${servedTotal <= 130 * 1024 ? "met" : "NOT met"} (gzip -9: ${kb(results.web.gz)})`);
const js = await build({ entryPoints: [fileURLToPath(new URL("./entry-js-stack.mjs", import.meta.url))], bundle: true, minify: true, treeShaking: true, format: "esm", platform: "browser", write: false, logLevel: "silent" });
const stack = measure(Buffer.from(js.outputFiles[0].contents));
row("JS stack (zod4+validator+lpn/max)", stack);
console.log(`browser build vs JS stack (gz): ${(results.web.gz / stack.gz).toFixed(2)}×; bar ≤ 200 KB gz: ${results.web.gz <= 200 * 1024 ? "met" : "NOT met"}`);
