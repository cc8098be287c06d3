// `make pkg`: appends a custom section `customer_validation_version` holding the package's
// version to a `.wasm`. The loader (pkg/src/loader.js) reads it from the compiled module
// before instantiating it, so a `.wasm` of another release is refused with a clear error.
// Written here rather than by the Rust build: a `#[link_section]` static needs unsafe code,
// which the crate forbids.
//   node mk/wasm-version.mjs pkg/web/customer_validation_bg.wasm
import { readFileSync, writeFileSync } from "node:fs";

const NAME = "customer_validation_version";
const version = JSON.parse(readFileSync(new URL("../pkg/package.json", import.meta.url), "utf8")).version;

function leb128(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

for (const file of process.argv.slice(2)) {
  const wasm = readFileSync(file);
  const module = new WebAssembly.Module(wasm);
  if (WebAssembly.Module.customSections(module, NAME).length > 0) throw new Error(`${file} already has a ${NAME} section`);
  const name = Buffer.from(NAME);
  const payload = Buffer.from(version);
  const body = Buffer.concat([Buffer.from(leb128(name.length)), name, payload]);
  const section = Buffer.concat([Buffer.from([0]), Buffer.from(leb128(body.length)), body]);
  const out = Buffer.concat([wasm, section]);
  const [written] = WebAssembly.Module.customSections(new WebAssembly.Module(out), NAME);
  if (Buffer.from(written).toString() !== version) throw new Error(`${file}: the section did not read back`);
  writeFileSync(file, out);
}
