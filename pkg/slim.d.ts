// `customer-validation/slim`: the same API as the main entry, loaded when the caller says.
export * from "./index.js";

/** What `init` can load the `.wasm` from (the package ships it as `customer-validation/web.wasm`). */
export type InitInput = string | URL | Request | Response | BufferSource | WebAssembly.Module;

/**
 * Loads the `.wasm`: from `input`, or without one from the `.wasm` beside this module.
 * Rejects with an Error naming the package and what to do (not found, not this version's
 * build, not a `.wasm`); calling it again retries. Calls made while it loads share it.
 */
export function init(input?: InitInput): Promise<void>;

/** Loads the `.wasm` at once from its bytes or a compiled `WebAssembly.Module`. */
export function initSync(module: BufferSource | WebAssembly.Module): void;

/** `"host"` once loaded (the browser build); `undefined` before. */
export const phoneEngine: "host" | "regex" | undefined;
