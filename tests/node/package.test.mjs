// The package as a consumer gets it: `npm pack` pkg/, install the tarball into a fresh
// temp project, import it by name in Node 20 with no flags, exercise every export, and
// type-check a consumer file against the shipped declarations with `tsc --noEmit --strict`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PKG, ROOT } from "./helpers.mjs";

const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

const project = mkdtempSync(join(tmpdir(), "cv-consumer-"));
test.after(() => rmSync(project, { recursive: true, force: true }));

test("npm pack ships the wrapper, both builds and the types, nothing else", () => {
  const [{ files, filename }] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", project], PKG));
  const paths = files.map((f) => f.path).sort();
  const needed = ["browser.js", "slim.js", "core.js", "node.js", "node.cjs", "index.d.ts", "index.d.cts", "slim.d.ts",
    "package.json", "README.md", "LICENSE-MIT", "LICENSE-APACHE", "node/customer_validation_bg.wasm", "web/customer_validation_bg.wasm"];
  for (const file of needed) assert.ok(paths.includes(file), `${file} is in the tarball: ${paths.join(", ")}`);
  const declarations = paths.filter((p) => /\.d\.c?ts$/.test(p));
  assert.deepEqual(declarations, ["index.d.cts", "index.d.ts", "slim.d.ts"], "the declarations of the entries, no source ones");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", `./${filename}`], project);
  assert.ok(readdirSync(join(project, "node_modules", "customer-validation")).includes("node.js"));
});

test("Node 20 imports it by name with no flags and every export behaves", () => {
  cpSync(join(ROOT, "tests/node/consumer/check.mjs"), join(project, "check.mjs"));
  const out = run(process.execPath, ["check.mjs"], project);
  assert.match(out, /every export behaved/);
});

test("the declarations type-check a strict consumer (tsc --noEmit)", () => {
  cpSync(join(ROOT, "tests/node/consumer/consumer.ts"), join(project, "consumer.ts"));
  const tsc = join(ROOT, "tests/node/node_modules/typescript/bin/tsc");
  const args = ["--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "consumer.ts"];
  try {
    run(process.execPath, [tsc, ...args], project);
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
  // The declaration file itself, with no consumer, under the strictest settings.
  try {
    run(process.execPath, [tsc, "--noEmit", "--strict", "node_modules/customer-validation/index.d.ts"], project);
  } catch (e) {
    assert.fail(`tsc on index.d.ts failed:\n${e.stdout}${e.stderr}`);
  }
});
