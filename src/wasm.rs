//! The JS boundary (wasm-bindgen). Filled in by the WASM package issue.
