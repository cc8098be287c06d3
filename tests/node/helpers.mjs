// Shared by the WASM tests: loading either build straight from pkg/ (both run in Node:
// the browser build is the same glue, compiled from bytes instead of fetched), and
// running one case-table row through the JS API the way the native library runs it.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { makeApi } from "../../pkg/core.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const PKG = `${ROOT}pkg/`;

/** One build's API; the browser build gets every locale from pkg/locales/ through
 * `addLocale`, as `loadLocale` would fetch them (the Node build has them inside). */
export async function loadBuild(build) {
  const raw = await import(`${PKG}${build}/customer_validation.js`);
  raw.initSync({ module: readFileSync(`${PKG}${build}/customer_validation_bg.wasm`) });
  const api = makeApi(raw, (tag) => new URL(`${PKG}locales/${tag}.json`, "file://"));
  if (build === "web") {
    for (const tag of api.supportedLocales().filter((t) => t !== "en")) api.addLocale(readFileSync(`${PKG}locales/${tag}.json`, "utf8"));
  }
  return api;
}

/** The native reports written by `cargo run --example native_reports` (make test-wasm). */
export function nativeReports() {
  const path = process.env.NATIVE_REPORTS ?? `${ROOT}target/native-reports.json`;
  return JSON.parse(readFileSync(path, "utf8"));
}

export { jsOptions, runRow } from "./rows.mjs";
