// Runs one case-table row through the JS API the way examples/native_reports.rs runs it
// through the Rust API. No Node imports: Chromium loads this file too.

export function jsOptions(row) {
  const o = row.options ?? {};
  const options = {};
  if (o.default_region !== undefined) options.defaultRegion = o.default_region;
  if (o.today !== undefined) options.today = o.today;
  if (o.locale !== undefined) options.locale = o.locale;
  if (o.messages !== undefined) options.messages = o.messages;
  return options;
}

/** The same call the native library made for this row (examples/native_reports.rs). */
export function runRow(api, row) {
  try {
    return call(api, row);
  } catch (e) {
    // A row testing a bad option: the native side recorded `options_error`.
    if (e instanceof TypeError) return { options_error: true };
    throw e;
  }
}

function call(api, row) {
  const options = jsOptions(row);
  if (row.field !== undefined) {
    const errors = api.validateField(row.shape, row.field, row.input, options);
    return { valid: errors.length === 0, errors };
  }
  if (row.shape === "square") return api.validateSquareCustomer(row.input, options);
  if (row.shape === "store-update") return api.validateStoreCustomerUpdate(row.input, row.current, options);
  if (row.shape === "square-update") return api.validateSquareCustomerUpdate(row.input, row.current, options);
  const input = row.encoding === "form" ? api.parseStoreForm(row.input) : row.input;
  return api.validateStoreCustomer(input, options);
}
