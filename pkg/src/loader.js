// Loading the browser build's `.wasm`, for both browser entries: `browser.js` loads it on
// import, `slim.js` when the caller says so. What `init` accepts, the errors it gives (each
// names the package and what to do), the version check, and retrying after a failure.
import initGlue, { initSync as initSyncGlue } from "../web/customer_validation.js";
import * as raw from "../web/customer_validation.js";

const VENDOR = "customer-validation";
// Written by `make pkg` from pkg/package.json.
const VERSION = __CV_VERSION__;

function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return `a ${typeof value}`;
}

const isBytes = (v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v);
const isModule = (v) => typeof WebAssembly !== "undefined" && v instanceof WebAssembly.Module;
const isFetchable = (v) =>
  typeof v === "string" || v instanceof URL || (typeof Request !== "undefined" && v instanceof Request);
const isResponse = (v) => typeof Response !== "undefined" && v instanceof Response;

// The version the `.wasm` carries (a custom section the Rust build writes), read from the
// compiled module before anything is instantiated: the glue keeps the first instance it
// made, so a wrong module must be refused before it gets there.
function checkVersion(module, where) {
  const [section] = WebAssembly.Module.customSections(module, "customer_validation_version");
  if (section === undefined) {
    throw new Error(
      `${VENDOR}: the .wasm${where} is not this package's browser build (it carries no version). Serve the ` +
        `customer_validation_bg.wasm shipped in this package (customer-validation/web.wasm).`,
    );
  }
  const built = new TextDecoder().decode(section);
  if (built !== VERSION) {
    throw new Error(
      `${VENDOR}: the .wasm${where} is version ${built}, this module is ${VERSION}. Serve the ` +
        `customer_validation_bg.wasm shipped in this version's package (customer-validation/web.wasm).`,
    );
  }
}

function compileError(error, where) {
  return new Error(
    `${VENDOR}: the .wasm${where} could not be compiled (${error?.message ?? error}): it is not a WebAssembly ` +
      `module. Serve the customer_validation_bg.wasm shipped in this package (customer-validation/web.wasm).`,
    { cause: error },
  );
}

async function compile(response) {
  if (typeof WebAssembly.compileStreaming === "function") {
    try {
      return await WebAssembly.compileStreaming(response.clone());
    } catch {
      // Served without `application/wasm`, or not a module: compile the bytes, which says which.
    }
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Loads the `.wasm` from `input` (a URL, a `Request`, a `Response`, its bytes or a
 * compiled `WebAssembly.Module`), or from `defaultUrl` without one. A failure leaves
 * nothing behind: the next call starts over. */
export async function load(input, defaultUrl) {
  if (input !== undefined && !isFetchable(input) && !isResponse(input) && !isBytes(input) && !isModule(input)) {
    throw new TypeError(
      `${VENDOR}: init(input) takes the .wasm as a URL, a Request, a Response, its bytes (ArrayBuffer, typed array) ` +
        `or a compiled WebAssembly.Module; got ${describe(input)}. Without an argument it loads the .wasm beside the module.`,
    );
  }
  let source = input ?? defaultUrl;
  const where = isFetchable(source) ? ` at ${String(source.url ?? source)}` : isResponse(source) ? ` at ${source.url}` : "";
  if (isFetchable(source)) {
    try {
      source = await fetch(source);
    } catch (error) {
      throw new Error(
        `${VENDOR}: the .wasm${where} could not be fetched (${error?.message ?? error}). ` +
          `Serve customer-validation/web.wasm there, or pass its URL (or its bytes) to init(). Calling init() again retries.`,
        { cause: error },
      );
    }
  }
  if (isResponse(source) && !source.ok) {
    throw new Error(
      `${VENDOR}: fetching the .wasm${where} answered HTTP ${source.status}. ` +
        `Serve customer-validation/web.wasm there, or pass its URL (or its bytes) to init(). Calling init() again retries.`,
    );
  }
  let module = source;
  if (!isModule(module)) {
    try {
      module = isResponse(source) ? await compile(source) : await WebAssembly.compile(source);
    } catch (error) {
      throw compileError(error, where);
    }
  }
  checkVersion(module, where);
  await initGlue({ module_or_path: module });
  return raw;
}

/** Loads the `.wasm` synchronously from its bytes or a compiled `WebAssembly.Module`. */
export function loadSync(module) {
  if (!isBytes(module) && !isModule(module)) {
    throw new TypeError(
      `${VENDOR}: initSync(module) takes the .wasm's bytes (ArrayBuffer, typed array) or a compiled ` +
        `WebAssembly.Module; got ${describe(module)}. To load from a URL, use await init(url).`,
    );
  }
  if (!isModule(module)) {
    try {
      module = new WebAssembly.Module(module);
    } catch (error) {
      throw compileError(error, "");
    }
  }
  checkVersion(module, "");
  initSyncGlue({ module });
  return raw;
}
