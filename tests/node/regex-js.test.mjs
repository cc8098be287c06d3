// Issue 11: the browser build runs the phone engine's patterns on the host's RegExp
// (crates/regex-js, swapped in for regex-lite). Its verdicts and normalized phones must equal
// the `regex` engine's, which the Node build and the native library both run. The case table
// and the 6,840-row phone corpus are compared in parity.test.mjs and engines.test.mjs; here
// seeded fuzzed phone-like strings (Unicode digits, NBSP and other separators, extensions in
// several scripts, `tel:` and `;phone-context=`) go through both builds, REGEX_JS_FUZZ of them
// (200,000 by default; REGEX_JS_SEED replays another sequence).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ROOT, loadBuild } from "./helpers.mjs";

// Seeds: the phone corpus's inputs (valid numbers in every format), mutated below.
const corpusLines = readFileSync(`${ROOT}tests/data/phone-libphonenumber-9.0.33.tsv`, "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
const corpusHeader = corpusLines.shift().split("\t");
const SEEDS = corpusLines.map((l) => Object.fromEntries(l.split("\t").map((v, i) => [corpusHeader[i], v])));

const COUNT = Number(process.env.REGEX_JS_FUZZ ?? 200_000);
const SEED = Number(process.env.REGEX_JS_SEED ?? 11);

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Digit zeros of scripts libphonenumber normalizes (ASCII, Arabic-Indic, Extended
// Arabic-Indic, Devanagari, Bengali, Thai, fullwidth, and an astral one: mathematical bold).
const ZEROS = [0x30, 0x660, 0x6f0, 0x966, 0x9e6, 0xe50, 0xff10, 0x1d7ce];
const SEPARATORS = [" ", " ", "-", ".", "/", "(", ")", "\u00a0", "\u2010", "\u2013", "\u2015", "\u2212", "\u3000",
  "\u200b", "\u00ad", "\u2060", "~", "\u30fc", "\uff0d", "\uff0e", "[", "]", "\t", "\u202f", "\u2007"];
const EXTENSIONS = [" ext ", " ext. ", " EXT:", " x", " X ", "#", " extension ", " extensión ", " EXTENSIÓN ",
  " extensio\u0301n ", " доб ", " ДОБ. ", " anexo ", " ANEXO ", " int ", " INT ", " ｘ", " ｅｘｔ", " ＩＮＴ ", ",,", ",", ";",
  " - ", ";ext=", " ſ ", " eſt ", " extenſion ", " \u212a "];
const PREFIXES = ["", "", "", "+", "+", "＋", "00", "011", "tel:", "tel:+", "0", "+1", "+44", "+49 (0)"];
const SUFFIXES = ["", "", "", "", ";phone-context=+1", ";phone-context=example.com", ";phone-context=+44-20",
  ";phone-context=", ";phone-context=a.b.c", ";isub=123", ";ext=42", " ", "\u00a0", "#", "x", "abc", "FLOWERS"];
const REGIONS = ["US", "US", "GB", "DE", "FR", "BR", "IN", "JP", "RU", "AU", "AR", "MX", "CN", "IT", "NZ", "ZA"];
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A corpus number with its digits moved to another script, separators swapped or added,
 * sometimes a digit changed, an extension, a `tel:`/`;phone-context=` frame. */
function mutated(r) {
  const pick = (list) => list[Math.floor(r() * list.length)];
  const seed = pick(SEEDS);
  const zero = r() < 0.6 ? 0x30 : pick(ZEROS);
  let s = "";
  for (const ch of seed.input) {
    const c = ch.codePointAt(0);
    if (c >= 0x30 && c <= 0x39) {
      const d = r() < 0.02 ? Math.floor(r() * 10) : c - 0x30;
      s += String.fromCodePoint((r() < 0.05 ? pick(ZEROS) : zero) + d);
    } else if (ch === " " && r() < 0.3) {
      s += pick(SEPARATORS);
    } else {
      s += ch;
    }
    if (r() < 0.02) s += pick(SEPARATORS);
  }
  if (r() < 0.05) s = s.slice(0, -1);
  if (r() < 0.25) {
    s += pick(EXTENSIONS);
    const n = 1 + Math.floor(r() * 7);
    for (let i = 0; i < n; i++) s += String.fromCodePoint(zero + Math.floor(r() * 10));
  }
  if (r() < 0.2) s += pick(SUFFIXES);
  if (r() < 0.05) s = pick(PREFIXES) + s;
  const region = seed.default_region === "ZZ" || r() < 0.1 ? pick(REGIONS) : seed.default_region;
  return { input: s, region };
}

function phoneLike(r) {
  if (r() < 0.75) return mutated(r);
  const pick = (list) => list[Math.floor(r() * list.length)];
  const zero = pick(ZEROS);
  const mixScripts = r() < 0.1;
  let s = pick(PREFIXES);
  const groups = 1 + Math.floor(r() * 5);
  for (let g = 0; g < groups; g++) {
    const n = 1 + Math.floor(r() * 5);
    for (let i = 0; i < n; i++) {
      const z = mixScripts ? pick(ZEROS) : zero;
      s += r() < 0.03 ? pick(LETTERS.split("")) : String.fromCodePoint(z + Math.floor(r() * 10));
    }
    if (g < groups - 1) s += pick(SEPARATORS);
  }
  if (r() < 0.3) {
    s += pick(EXTENSIONS);
    const n = Math.floor(r() * 8);
    for (let i = 0; i < n; i++) s += String.fromCodePoint(zero + Math.floor(r() * 10));
  }
  s += pick(SUFFIXES);
  if (r() < 0.05) s = pick(SEPARATORS) + s;
  if (r() < 0.03) s += String.fromCodePoint(Math.floor(r() * 0x2ffff));
  return { input: s, region: pick(REGIONS) };
}

const web = await loadBuild("web");
const node = await loadBuild("node");

test(`browser build (host RegExp) equals the regex engine on ${COUNT} fuzzed phones`, () => {
  const r = rng(SEED);
  const mismatches = [];
  let valid = 0;
  for (let i = 0; i < COUNT; i++) {
    const { input, region } = phoneLike(r);
    const options = { defaultRegion: region, today: "2026-11-23" };
    const request = { customer: { first_name: "A", phone: input } };
    const a = web.validateStoreCustomer(request, options);
    const b = node.validateStoreCustomer(request, options);
    try {
      assert.deepEqual(a, b);
    } catch {
      mismatches.push({ region, input, web: a, node: b });
    }
    if (b.valid) valid++;
  }
  // The generator must reach both verdicts often, or the comparison proves little.
  assert.ok(valid > COUNT / 20 && valid < COUNT - COUNT / 20, `${valid} of ${COUNT} valid`);
  console.log(`# ${COUNT} fuzzed phones, ${valid} valid, ${mismatches.length} mismatches`);
  assert.deepEqual(mismatches.slice(0, 5), [], `${mismatches.length} mismatches`);
});
