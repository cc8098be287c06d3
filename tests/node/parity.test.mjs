// The case table (tests/cases/*.json) and the benchmark corpus through both WASM builds in
// Node: every report must equal the native library's, field for field (verdict, codes,
// paths, messages, params, normalized value), and so the two builds equal each other.

import { test } from "node:test";
import assert from "node:assert/strict";
import { loadBuild, nativeReports, runRow } from "./helpers.mjs";

const reports = nativeReports();
const builds = { web: await loadBuild("web"), node: await loadBuild("node") };

test("each build loaded the phone engine it was built with", () => {
  assert.equal(builds.web.phoneEngine, "host");
  assert.equal(builds.node.phoneEngine, "regex");
});

test("native reports cover the case table and the corpus", () => {
  const files = new Set(reports.map((r) => r.file));
  assert.ok(files.has("corpus.jsonl"), "corpus rows present");
  assert.ok(reports.length >= 2000, `${reports.length} rows`);
});

for (const [build, api] of Object.entries(builds)) {
  test(`${build} build: every report equals the native one`, () => {
    let mismatches = [];
    for (const { file, index, row, report } of reports) {
      const got = runRow(api, row);
      try {
        assert.deepEqual(got, report);
      } catch {
        mismatches.push(`${file}#${index} ${row.name ?? ""}\n  wasm:   ${JSON.stringify(got)}\n  native: ${JSON.stringify(report)}`);
      }
    }
    assert.equal(mismatches.length, 0, `${mismatches.length} of ${reports.length} differ:\n${mismatches.slice(0, 10).join("\n")}`);
  });

  test(`${build} build: case-table rows meet their own expectations`, () => {
    for (const { file, index, row } of reports) {
      if (!row.expect) continue;
      const got = runRow(api, row);
      const where = `${file}#${index} ${row.name}`;
      if (got.options_error) continue; // a bad-option row: the native table test owns its expectations
      assert.equal(got.valid, row.expect.valid, where);
      assert.deepEqual(
        got.errors.map(({ path, code }) => ({ path, code })),
        row.expect.errors.map(({ path, code }) => ({ path, code })),
        where,
      );
      if (row.expect.value !== undefined) assert.deepEqual(got.value, row.expect.value, where);
    }
  });
}

test("both builds give identical reports on every row", () => {
  for (const { file, index, row } of reports) {
    assert.deepEqual(runRow(builds.web, row), runRow(builds.node, row), `${file}#${index}`);
  }
});
