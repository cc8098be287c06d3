// `make pkg`: writes `<file>.gz` (zopfli: gzip format, ≈ 7% smaller than gzip -9) and
// `<file>.br` (brotli, quality 11) beside each file named on the command line, so the server
// (`make run`) sends the browser build precompressed instead of compressing it per request.
//   node mk/precompress.mjs pkg/browser.js pkg/web/customer_validation_bg.wasm
import { readFileSync, writeFileSync } from "node:fs";
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from "node:zlib";
import { createRequire } from "node:module";

const require = createRequire(new URL("./tools/package.json", import.meta.url));
const { gzipAsync } = require("@gfx/zopfli");

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node mk/precompress.mjs FILE...");
  process.exit(2);
}
for (const file of files) {
  const bytes = readFileSync(file);
  const gz = Buffer.from(await gzipAsync(bytes, { numiterations: 15 }));
  const br = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      [constants.BROTLI_PARAM_MODE]: file.endsWith(".wasm") ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
    },
  });
  // A corrupt file would reach every browser; check each round-trips before writing it.
  if (!gunzipSync(gz).equals(bytes)) throw new Error(`${file}: zopfli output does not decompress to the input`);
  if (!brotliDecompressSync(br).equals(bytes)) throw new Error(`${file}: brotli output does not decompress to the input`);
  writeFileSync(`${file}.gz`, gz);
  writeFileSync(`${file}.br`, br);
  console.log(`${file}: ${bytes.length} bytes → ${gz.length} gzip, ${br.length} brotli`);
}
