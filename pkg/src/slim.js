// `customer-validation/slim`: the browser build with loading left to the caller, for
// pages that decide where the `.wasm` comes from (a CDN, a bundler's asset URL, bytes they
// fetched) or when it loads. `await init()` (or `initSync(module)`), then the same API as
// the main entry. Every function called before that throws an error that says so.
import { load, loadSync } from "./loader.js";
import { makeApi } from "../core.js";

const VENDOR = "customer-validation";
let api = null;
let loading = null;
// Where `loadLocale` finds `<tag>.json`: pkg/locales/, or beside a `.wasm` given by URL.
let localeBase = new URL("./locales/", import.meta.url);

/** Which build was loaded (`"host"`); `undefined` until `init` has finished. */
export let phoneEngine;

function ready(raw) {
  api ??= makeApi(raw, (tag) => new URL(`${tag}.json`, localeBase));
  phoneEngine = api.phoneEngine;
  return api;
}

/** Loads the `.wasm`: from `input` (a URL, a `Request`, a `Response`, its bytes or a
 * compiled `WebAssembly.Module`), or without one from the `.wasm` beside this module.
 * Calls made while it loads share it; after a failure, calling it again retries. */
export function init(input) {
  if (api) return Promise.resolve();
  // A caller who placed the `.wasm` elsewhere finds the locales beside it.
  if (typeof input === "string" || input instanceof URL) localeBase = new URL("./locales/", new URL(input, import.meta.url));
  loading ??= load(input, new URL("./web/customer_validation_bg.wasm", import.meta.url)).then(
    (raw) => {
      ready(raw);
    },
    (error) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/** Loads the `.wasm` at once from its bytes or a compiled `WebAssembly.Module`. */
export function initSync(module) {
  if (!api) ready(loadSync(module));
}

function current(name) {
  if (api) return api;
  throw new Error(`${VENDOR}: ${name} was called before the .wasm was loaded: await init() (or call initSync(module)) first.`);
}

export const validateStoreCustomer = (...args) => current("validateStoreCustomer").validateStoreCustomer(...args);
export const validateSquareCustomer = (...args) => current("validateSquareCustomer").validateSquareCustomer(...args);
export const validateStoreCustomerUpdate = (...args) =>
  current("validateStoreCustomerUpdate").validateStoreCustomerUpdate(...args);
export const validateSquareCustomerUpdate = (...args) =>
  current("validateSquareCustomerUpdate").validateSquareCustomerUpdate(...args);
export const validateField = (...args) => current("validateField").validateField(...args);
export const parseStoreForm = (...args) => current("parseStoreForm").parseStoreForm(...args);
export const toSquare = (...args) => current("toSquare").toSquare(...args);
export const fromSquare = (...args) => current("fromSquare").fromSquare(...args);
export const createStoreCustomerSchema = (...args) => current("createStoreCustomerSchema").createStoreCustomerSchema(...args);
export const createSquareCustomerSchema = (...args) => current("createSquareCustomerSchema").createSquareCustomerSchema(...args);
export const createStoreCustomerUpdateSchema = (...args) =>
  current("createStoreCustomerUpdateSchema").createStoreCustomerUpdateSchema(...args);
export const createSquareCustomerUpdateSchema = (...args) =>
  current("createSquareCustomerUpdateSchema").createSquareCustomerUpdateSchema(...args);
export const flattenErrors = (...args) => current("flattenErrors").flattenErrors(...args);
export const supportedRegions = (...args) => current("supportedRegions").supportedRegions(...args);
export const formatMessage = (...args) => current("formatMessage").formatMessage(...args);
export const supportedLocales = (...args) => current("supportedLocales").supportedLocales(...args);
export const addLocale = (...args) => current("addLocale").addLocale(...args);
export const loadLocale = (...args) => current("loadLocale").loadLocale(...args);

// The schemas exist before loading (a form library reads them when the form is declared);
// they need the module only to validate.
function schema(name) {
  return Object.freeze({
    "~standard": Object.freeze({
      version: 1,
      vendor: VENDOR,
      validate: (value) => current(`${name}["~standard"].validate`)[name]["~standard"].validate(value),
    }),
  });
}
export const storeCustomerSchema = schema("storeCustomerSchema");
export const squareCustomerSchema = schema("squareCustomerSchema");
export const storeCustomerUpdateSchema = schema("storeCustomerUpdateSchema");
export const squareCustomerUpdateSchema = schema("squareCustomerUpdateSchema");
