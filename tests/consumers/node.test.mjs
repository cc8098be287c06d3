// The packed package in Node's runtimes and tools, each in a fresh project: Node 20 ESM,
// Node 20 CommonJS (`require`), Jest in its default CommonJS mode, and TypeScript's
// `bundler` and `node16` module resolution. Each checks real verdicts on case-table rows.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkVerdicts, sampleRows } from "./rows.mjs";
import { NODE_TOOLS, TOOLS, cleanUp, project, run } from "./project.mjs";

const rows = sampleRows();
after(cleanUp);

test("Node ESM: import by name takes the Node build", () => {
  const dir = project("node-esm", rows);
  const out = JSON.parse(run(process.execPath, ["node-esm.mjs"], dir));
  assert.equal(out.engine, "regex");
  checkVerdicts(assert, out.verdicts, rows, "Node ESM");
});

test("Node CommonJS: require by name works, without require(esm)", () => {
  const dir = project("node-cjs", rows);
  // Node 20 before 20.19 could not require an ES module; the flag makes every Node act so.
  const out = JSON.parse(run(process.execPath, ["--no-experimental-require-module", "node-cjs.cjs"], dir));
  assert.equal(out.engine, "regex");
  checkVerdicts(assert, out.verdicts, rows, "Node CommonJS");
});

test("Jest, default CommonJS mode: a test file requires the package", () => {
  const dir = project("jest", rows);
  const expected = rows.map(({ expect }) => expect);
  // The test compares whole verdicts: the rows' expectations, with `value` where the table gives it.
  const full = JSON.parse(run(process.execPath, ["node-cjs.cjs"], dir)).verdicts;
  checkVerdicts(assert, full, rows, "Jest's reference run");
  writeFileSync(join(dir, "jest", "expected.json"), JSON.stringify(full));
  assert.equal(expected.length, full.length);
  const out = run(process.execPath, [join(TOOLS, "jest/bin/jest.js"), "--ci", "--rootDir", join(dir, "jest"), "--json"], join(dir, "jest"));
  const result = JSON.parse(out);
  assert.equal(result.numFailedTests, 0, out);
  assert.equal(result.numPassedTests, 2, out);
});

test("TypeScript: the declarations resolve and check under bundler and node16", () => {
  const dir = project("typescript", rows);
  const tsc = join(NODE_TOOLS, "typescript/bin/tsc");
  const common = ["--noEmit", "--strict", "--target", "es2022", "--lib", "es2022,dom", "ts-consumer.ts"];
  run(process.execPath, [tsc, "--module", "esnext", "--moduleResolution", "bundler", ...common], dir);
  run(process.execPath, [tsc, "--module", "node16", "--moduleResolution", "node16", ...common], dir);
});
