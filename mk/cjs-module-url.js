// Injected into pkg/node.cjs by esbuild (mk/wasm.mk): what `import.meta.url` is in the ESM
// source, the file's own URL, for the `.wasm` path beside it.
export const __cv_module_url = require("node:url").pathToFileURL(__filename).href;
