// Node entry (`exports` condition "node"): the build with the fast phone engine (`regex`),
// compiled synchronously from disk so that importing needs no top-level await.
import { readFileSync } from "node:fs";
import * as raw from "./node/customer_validation.js";
import { makeApi } from "./core.js";

raw.initSync({ module: readFileSync(new URL("./node/customer_validation_bg.wasm", import.meta.url)) });

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
} = makeApi(raw, () => {
  // Unreachable: the Node build has every locale of the catalogue inside.
  throw new Error("customer-validation: the Node build has every locale; loadLocale needs no file");
});
