// The catalogue's data, against its sources: each locale file's `cldr` section is what
// `make cldr` copies from CLDR (the packages pinned in this folder), and the sign-up page's
// texts (www/locales/) cover the same locales, every key, the plural forms of each
// language, with no text left in English. The messages themselves are held by the Rust
// tests (src/messages/catalogue_tests.rs).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { cldrOf } from "../../mk/cldr.mjs";
import { ROOT } from "./helpers.mjs";

const MESSAGES = join(ROOT, "src/messages/locales");
const FORM = join(ROOT, "www/locales");
const read = (dir, file) => JSON.parse(readFileSync(join(dir, file), "utf8"));
const tags = readdirSync(MESSAGES).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();

test("each locale's CLDR data is CLDR's", () => {
  assert.equal(tags.length, 14);
  for (const tag of tags) assert.deepEqual(read(MESSAGES, `${tag}.json`).cldr, cldrOf(tag), tag);
});

const PLURAL = /_(zero|one|two|few|many|other)$/;
// Words the page's language shares with English (a label, not a sentence).
const SHARED = { de: ["optional", "name"], fr: ["note"], it: ["email"], pl: ["problems_one"], pt: ["email"] };

test("the sign-up page has every text in every locale, with its language's plural forms", () => {
  const formTags = readdirSync(FORM).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
  assert.deepEqual(formTags, tags);
  const en = read(FORM, "en.json").texts;
  const bases = (texts) => new Set(Object.keys(texts).map((k) => k.replace(PLURAL, "")));
  for (const tag of tags) {
    const file = read(FORM, `${tag}.json`);
    assert.equal(file.tag, tag);
    assert.equal(file.direction, tag === "ar" ? "rtl" : "ltr", tag);
    assert.match(file.region, /^[A-Z]{2}$/);
    assert.deepEqual(bases(file.texts), bases(en), tag);
    const forms = new Intl.PluralRules(tag).resolvedOptions().pluralCategories;
    for (const base of [...bases(en)].filter((b) => `${b}_other` in en)) {
      const have = Object.keys(file.texts).filter((k) => k.startsWith(`${base}_`)).map((k) => k.slice(base.length + 1));
      for (const form of forms) assert.ok(have.includes(form), `${tag} ${base}: no ${form} form`);
    }
    const params = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, value] of Object.entries(file.texts)) {
      const english = en[key] ?? en[key.replace(PLURAL, "_other")];
      // A plural form may leave the number out (Arabic's "one stamp", "two stamps").
      const mine = params(value);
      if (PLURAL.test(key)) assert.ok(mine.every((p) => params(english).includes(p)), `${tag} ${key}: parameters`);
      else assert.deepEqual(mine, params(english), `${tag} ${key}: parameters`);
      if (tag !== "en" && !(SHARED[tag] ?? []).includes(key)) assert.notEqual(value, english, `${tag} ${key} is English`);
    }
  }
});
