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

test("customer-validation/slim in Node: a bad load says why and can be retried", () => {
  const dir = project("slim-node", rows);
  const out = JSON.parse(run(process.execPath, ["slim-node.mjs"], dir));
  assert.match(out.errors.beforeInit, /^customer-validation: validateField was called before the \.wasm was loaded/);
  assert.match(out.errors.notWasm, /^customer-validation: the \.wasm could not be compiled .*: it is not a WebAssembly module/);
  assert.match(out.errors.otherVersion, /^customer-validation: the \.wasm is version 0\.0\.1, this module is \d+\.\d+\.\d+/);
  assert.match(out.errors.syncBadArgument, /^customer-validation: initSync\(module\) takes the \.wasm's bytes/);
  assert.equal(out.engine, "host", "the browser build, loaded after the failures");
  checkVerdicts(assert, out.verdicts, rows, "slim in Node");
});

test("TypeScript: the declarations resolve and check under bundler and node16", () => {
  const dir = project("typescript", rows);
  const tsc = join(NODE_TOOLS, "typescript/bin/tsc");
  const common = ["--noEmit", "--strict", "--target", "es2022", "--lib", "es2022,dom", "ts-consumer.ts"];
  run(process.execPath, [tsc, "--module", "esnext", "--moduleResolution", "bundler", ...common], dir);
  run(process.execPath, [tsc, "--module", "node16", "--moduleResolution", "node16", ...common], dir);
});
