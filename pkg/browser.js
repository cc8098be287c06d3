// Browser and bundler entry (`exports` conditions "browser", "import", "default"): the
// small build (phone engine `lite`). The `.wasm` is fetched beside this file; bundlers that
// understand `new URL(..., import.meta.url)` (Vite, webpack 5, Rollup) emit it as an asset.
import init, * as raw from "./web/customer_validation.js";
import { makeApi } from "./core.js";

await init({ module_or_path: new URL("./web/customer_validation_bg.wasm", import.meta.url) });

export const {
  validateStoreCustomer,
  validateSquareCustomer,
  validateField,
  parseStoreForm,
  toSquare,
  fromSquare,
  storeCustomerSchema,
  squareCustomerSchema,
  phoneEngine,
} = makeApi(raw);
