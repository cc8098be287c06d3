// A few rows of the shared case table (tests/cases/), with their expectations: what every
// consumer runs through the installed package and must answer as the table says.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const CASES = fileURLToPath(new URL("../cases/", import.meta.url));

// Per file, the first rows that pass and fail: phones read in a region, internationalized
// and bidi emails, dates against "today", names, and Square's shape.
const PICKS = { "phone.json": 2, "email.json": 2, "birthday.json": 1, "names.json": 1, "square.json": 2 };

export function sampleRows() {
  const rows = [];
  for (const [file, each] of Object.entries(PICKS)) {
    const table = JSON.parse(readFileSync(`${CASES}${file}`, "utf8")).filter((r) => !r.field && r.options?.today);
    rows.push(...table.filter((r) => r.expect.valid).slice(0, each), ...table.filter((r) => !r.expect.valid).slice(0, each));
  }
  const bidi = JSON.parse(readFileSync(`${CASES}email.json`, "utf8")).find((r) => r.input.customer?.email === "a=b@١٢٣.co.uk");
  return [...rows, bidi].map((row) => ({
    name: row.name,
    shape: row.shape,
    input: row.input,
    options: { defaultRegion: row.options.default_region, today: row.options.today },
    expect: row.expect,
  }));
}

/** The module a consumer app imports: the rows' inputs and options, without expectations. */
export function rowsModule(rows) {
  const inputs = rows.map(({ shape, input, options }) => ({ shape, input, options }));
  return `export default ${JSON.stringify(inputs)};\n`;
}

/** Holds what a consumer answered to the expectations of the rows. */
export function checkVerdicts(assert, verdicts, rows, where) {
  assert.equal(verdicts.length, rows.length, `${where}: one verdict per row`);
  rows.forEach((row, i) => {
    const got = verdicts[i];
    const at = `${where}: ${row.name}`;
    assert.equal(got.valid, row.expect.valid, at);
    assert.deepEqual(got.errors, row.expect.errors.map(({ path, code }) => ({ path, code })), at);
    if (row.expect.value !== undefined) assert.deepEqual(got.value, row.expect.value, at);
  });
}
