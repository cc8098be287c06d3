// Seeded phone-like strings for the parity tests of the browser build's phone engine (host
// RegExp) against the `regex` engine: corpus numbers with their digits moved to other
// scripts, separators swapped, extensions in several scripts, `tel:` and
// `;phone-context=` frames, and random digit groups. Plain JS with no Node API, so Node
// (regex-js.test.mjs) and the page in Chromium (browser/phone-fuzz.html) draw the very
// same sequence from the same seed.

/** The phone corpus's rows (tests/data/phone-libphonenumber-9.0.33.tsv) as objects. */
export function parseCorpus(tsv) {
  const lines = tsv.split("\n").filter((l) => l && !l.startsWith("#"));
  const header = lines.shift().split("\t");
  return lines.map((l) => Object.fromEntries(l.split("\t").map((v, i) => [header[i], v])));
}

/** mulberry32: a small seeded generator of floats in [0, 1). */
export function rng(seed) {
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
function mutated(SEEDS, r) {
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

function phoneLike(SEEDS, r) {
  if (r() < 0.75) return mutated(SEEDS, r);
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


/** `count` fuzzed `{ input, region }` from `seed`, drawn from the corpus rows `seeds`. */
export function* fuzzedPhones(seeds, seed, count) {
  const r = rng(seed);
  for (let i = 0; i < count; i++) yield phoneLike(seeds, r);
}

/** A report in a few bytes: the verdict, the normalized phone or the codes and reasons, and
 * a hash of the whole report (message and params included), so 200,000 reports can be
 * compared across a browser boundary without shipping them whole. */
export function signature(report) {
  const text = JSON.stringify(report);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  const gist = report.valid ? report.value.customer.phone : report.errors.map((e) => `${e.code}:${e.params.reason ?? ""}`).join(",");
  return `${gist}#${(h >>> 0).toString(16)}`;
}
