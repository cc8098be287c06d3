// Node throughput over the benchmark corpus (bench/corpus.jsonl, the native benchmark's):
// both WASM builds through the exported functions (JS objects in and out, the boundary
// included) next to the JS stack (js-stack.mjs), in one run; then the price of crossing
// the boundary as JSON text and through serde-wasm-bindgen (the Node build's probes).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { makeApi } from "../../pkg/core.js";
import { validateWithJsStack } from "./js-stack.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const corpus = readFileSync(`${ROOT}bench/corpus.jsonl`, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

/** A build's wasm-bindgen output in `dir`, compiled from disk, with the package's wrapper. */
async function load(dir) {
  const raw = await import(`${dir}/customer_validation.js`);
  raw.initSync({ module: readFileSync(`${dir}/customer_validation_bg.wasm`) });
  return { raw, api: makeApi(raw) };
}

/** Requests per second of `fn` over the whole corpus, best of three timed slices. */
function rate(name, fn) {
  for (let i = 0; i < 2; i++) for (const item of corpus) fn(item); // warm-up (JIT, lazy metadata)
  let best = 0;
  for (let slice = 0; slice < 3; slice++) {
    let n = 0;
    const start = process.hrtime.bigint();
    const until = start + BigInt(Math.round((SECONDS / 3) * 1e9));
    let now = start;
    while (now < until) {
      for (const item of corpus) fn(item);
      n += corpus.length;
      now = process.hrtime.bigint();
    }
    best = Math.max(best, n / (Number(now - start) / 1e9));
  }
  console.log(`${name.padEnd(46)} ${Math.round(best).toLocaleString("en-US").padStart(9)} req/s  ${(1e6 / best).toFixed(2).padStart(7)} µs/req`);
  return best;
}

const web = await load(`${ROOT}pkg/web`);
const node = await load(`${ROOT}pkg/node`);
const options = corpus.map(({ options: o }) => ({ defaultRegion: o.default_region, today: o.today }));
const items = corpus.map((c, i) => ({ request: c.request, options: options[i], raw: c.options }));
corpus.length = 0;
corpus.push(...items);

const invalid = items.filter((i) => !node.api.validateStoreCustomer(i.request, i.options).valid).length;
console.log(`corpus: ${items.length} store requests, ${((100 * invalid) / items.length).toFixed(0)}% invalid; ${SECONDS}s per line\n`);
const nodeRate = rate("WASM Node build (regex), validateStoreCustomer", (i) => node.api.validateStoreCustomer(i.request, i.options));
const webRate = rate("WASM browser build (host RegExp), validateStoreCustomer", (i) => web.api.validateStoreCustomer(i.request, i.options));
const jsRate = rate("JS stack: zod 4 + validator.js + lpn/max", (i) => validateWithJsStack(i.request, i.raw));
console.log(`\nNode build / JS stack:    ${(nodeRate / jsRate).toFixed(2)}× (bar ≥ 1.5×)`);
console.log(`browser build / JS stack: ${(webRate / jsRate).toFixed(2)}×\n`);

// Phone checks alone (`validateField` on `customer.phone`), where the three regex engines
// differ: the browser build (host RegExp), the same build with regex-lite inside, and the
// Node build (regex). Every phone of the corpus, with its request's default region.
const phones = items.filter((i) => typeof i.request?.customer?.phone === "string").map((i) => ({ phone: i.request.customer.phone, options: i.options }));
// The browser build with the real regex-lite inside (mk/wasm.mk builds it for this bench).
const lite = process.env.LITE_PKG ? await load(process.env.LITE_PKG) : null;
// The browser build with every regex answer remembered inside the module (crates/regex-js/
// src/floor.rs): after the warm-up, what a phone check costs when matching costs nothing.
const floor = process.env.FLOOR_PKG ? await load(process.env.FLOOR_PKG) : null;
for (const p of floor ? phones : []) {
  const [mine, host] = [floor, web].map((b) => JSON.stringify(b.api.validateField("store", "customer.phone", p.phone, p.options)));
  if (mine !== host) throw new Error(`the floor build answers ${mine} for ${JSON.stringify(p.phone)}, the browser build ${host}`);
}
console.log(`phone checks only (${phones.length} phones of the corpus, validateField):`);
corpus.length = 0;
corpus.push(...phones);
const phoneRate = (name, api) => rate(`  ${name}`, (p) => api.validateField("store", "customer.phone", p.phone, p.options));
const hostPhones = phoneRate("browser build (host RegExp)", web.api);
const litePhones = lite ? phoneRate("browser build with regex-lite (before issue 11)", lite.api) : null;
const regexPhones = phoneRate("Node build (regex)", node.api);
const floorPhones = floor ? phoneRate("browser build, regexes answered from a table", floor.api) : null;
if (litePhones) console.log(`  host RegExp / regex-lite: ${(hostPhones / litePhones).toFixed(2)}× (bar ≥ 4×)`);
if (litePhones && floorPhones) {
  console.log(`  no matching time at all / regex-lite: ${(floorPhones / litePhones).toFixed(2)}× (the most any regex engine could give this build)`);
}
console.log(`  host RegExp / regex: ${(hostPhones / regexPhones).toFixed(2)}×\n`);
corpus.length = 0;
corpus.push(...items);

console.log("crossing the boundary (Node build; a request in and the same value back, nothing validated):");
const bare = rate("  bare wasm-bindgen call returning a string", () => node.raw.phoneEngine());
const json = rate("  JSON text: stringify → serde_json → parse", (i) => JSON.parse(node.raw.probeEchoJson(JSON.stringify(i.request))));
const swb = rate("  serde-wasm-bindgen: from_value → to_value", (i) => node.raw.probeEchoSerde(i.request));
console.log(`  JSON text ${(1e6 / json).toFixed(2)} µs vs serde-wasm-bindgen ${(1e6 / swb).toFixed(2)} µs per round trip: ${json > swb ? "JSON text" : "serde-wasm-bindgen"} is ${(Math.max(json, swb) / Math.min(json, swb)).toFixed(2)}× faster (bare call ${(1e6 / bare).toFixed(2)} µs)`);
