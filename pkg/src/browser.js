// Browser and bundler entry (`exports` conditions "browser", "import", "default"): the
// small build (phone engine on the host's RegExp), ready on import. `make pkg` bundles this
// file with the loader, the wasm-bindgen glue and core.js into one module, pkg/browser.js:
// a page then waits for two downloads (that module, then the `.wasm`) instead of three in
// a row. `customer-validation/slim` (slim.js) is the same API with loading left to the
// caller.
//
// The `.wasm` URL is written relative to the bundle (pkg/browser.js), not to this source
// file: esbuild leaves `new URL(..., import.meta.url)` as it is, and bundlers that
// understand it (Vite, webpack 5, Rollup) emit the `.wasm` as an asset.
import { load } from "./loader.js";
import { makeApi } from "../core.js";

const raw = await load(undefined, new URL("./web/customer_validation_bg.wasm", import.meta.url));

export const {
  validateStoreCustomer,
  validateSquareCustomer,
  validateStoreCustomerUpdate,
  validateSquareCustomerUpdate,
  validateField,
  parseStoreForm,
  toSquare,
  fromSquare,
  storeCustomerSchema,
  squareCustomerSchema,
  storeCustomerUpdateSchema,
  squareCustomerUpdateSchema,
  createStoreCustomerSchema,
  createSquareCustomerSchema,
  createStoreCustomerUpdateSchema,
  createSquareCustomerUpdateSchema,
  flattenErrors,
  supportedRegions,
  formatMessage,
  supportedLocales,
  addLocale,
  loadLocale,
  phoneEngine,
} = makeApi(raw, (tag) => new URL(`./locales/${tag}.json`, import.meta.url));
