// Copies each locale's CLDR data into the catalogue (`make cldr`): its cardinal plural
// rules (samples dropped), its default digits, grouping separator and minimum grouping
// digits. The catalogue then needs no CLDR package at run time; tests/node/catalogue.test.mjs
// checks the copy against the same packages.
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("../tests/node/package.json", import.meta.url));
const dir = new URL("../src/messages/locales/", import.meta.url);

// Our tags name the variant people ask for; CLDR's `pt` is Brazilian, `pt-PT` European.
export const CLDR_ID = { pt: "pt-PT", "pt-BR": "pt", "zh-Hans": "zh-Hans" };

export function cldrOf(tag) {
  const id = CLDR_ID[tag] ?? tag;
  const plurals = require("cldr-core/supplemental/plurals.json").supplemental["plurals-type-cardinal"];
  const systems = require("cldr-core/supplemental/numberingSystems.json").supplemental.numberingSystems;
  const language = id.split("-")[0];
  const rules = plurals[id] ?? plurals[language];
  const numbers = require(`cldr-numbers-full/main/${id}/numbers.json`).main[id].numbers;
  const system = numbers.defaultNumberingSystem;
  const plural = {};
  for (const [key, rule] of Object.entries(rules)) plural[key.replace("pluralRule-count-", "")] = rule.split("@")[0].trim();
  return {
    source: `CLDR ${require("cldr-core/package.json").version}, ${id}`,
    plural,
    digits: systems[system]._digits,
    group: numbers[`symbols-numberSystem-${system}`].group,
    minimumGroupingDigits: Number(numbers.minimumGroupingDigits),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "index.json")) {
    const url = new URL(file, dir);
    const data = JSON.parse(readFileSync(url, "utf8"));
    data.cldr = cldrOf(data.tag);
    writeFileSync(url, JSON.stringify(data, null, 2) + "\n");
  }
}
