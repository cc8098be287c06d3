// `make pkg`: writes `<file>.gz` beside each file named on the command line, compressed with
// zopfli (gzip format, ≈ 7% smaller than gzip -9), so the server (`make run`) can send the
// browser build precompressed instead of compressing it per request or not at all.
//   node mk/precompress.mjs pkg/browser.js pkg/web/customer_validation_bg.wasm
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { createRequire } from "node:module";

const require = createRequire(new URL("../tests/node/package.json", import.meta.url));
const { gzipAsync } = require("@gfx/zopfli");

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node mk/precompress.mjs FILE...");
  process.exit(2);
}
for (const file of files) {
  const bytes = readFileSync(file);
  const gz = Buffer.from(await gzipAsync(bytes, { numiterations: 15 }));
  // A corrupt .gz would reach every browser; check it round-trips before writing it.
  if (!gunzipSync(gz).equals(bytes)) throw new Error(`${file}: zopfli output does not decompress to the input`);
  writeFileSync(`${file}.gz`, gz);
  console.log(`${file}.gz: ${bytes.length} → ${gz.length} bytes`);
}
