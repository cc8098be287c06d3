// www/countries.js is a static copy of the rules' country list (src/rules/countries.rs),
// so that the page needs no build step; this fails as soon as the two drift apart.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { COUNTRY_CODES } from "../../www/countries.js";
import { ROOT } from "./paths.mjs";

test("www/countries.js lists exactly the codes of src/rules/countries.rs, in order", async () => {
  const rust = await readFile(join(ROOT, "src/rules/countries.rs"), "utf8");
  const body = rust.match(/COUNTRY_CODES:\s*\[&str;\s*(\d+)\]\s*=\s*\[([^\]]*)\]/);
  assert.ok(body, "COUNTRY_CODES found in countries.rs");
  const codes = [...body[2].matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  assert.equal(codes.length, Number(body[1]), "the Rust array's declared length");
  assert.deepEqual(COUNTRY_CODES, codes);
});
