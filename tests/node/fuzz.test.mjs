// No panic is reachable from JS: random JS values of every kind through every export of
// both builds. A panic aborts the WASM instance (`RuntimeError: unreachable`), so the loop
// asserts that validation never throws, that the other exports throw only `TypeError`,
// and that the module still gives the right answer afterwards.

import { test } from "node:test";
import assert from "node:assert/strict";
import { loadBuild } from "./helpers.mjs";
import { rng } from "./phone-fuzz.mjs";

// Seeded (the generator of phone-fuzz.mjs), so a failure can be replayed with FUZZ_SEED.
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 4000);

const FIELDS = [
  "customer", "first_name", "last_name", "email", "phone", "birthday", "metadata", "external_references",
  "source", "external_id", "card_id", "send_card_links", "given_name", "family_name", "company_name",
  "nickname", "email_address", "address", "country", "phone_number", "reference_id", "note", "tax_ids",
  "eu_vat", "idempotency_key", "__proto__", "constructor", "", "0",
];
const STRINGS = [
  "", " ", "a@b.co", "amelia@EXAMPLE.com", "+1 212 555 4240", "(212) 555-4240", ";phone-context=+1;tel:",
  "+;phone-context=+1;tel:1", "0000-02-29", "2023-02-29", "9999-12-31", "09-21", "\ud800", "a\udc00b",
  "\u0000", "\u202e", "👩‍👩‍👧", "x@xn--", "a@[127.0.0.1]", "US", "my_pos", "1e400", "-0", "NaN",
];
const NUMBERS = [0, -0, 1, -1, 12, 1.5, NaN, Infinity, -Infinity, 1e300, -1e300, 2 ** 53, 2 ** 64, Number.MIN_VALUE];

function value(r, depth) {
  const pick = (list) => list[Math.floor(r() * list.length)];
  const kind = Math.floor(r() * (depth > 6 ? 9 : 13));
  switch (kind) {
    case 0: return pick(STRINGS);
    case 1: {
      const chars = [];
      const n = Math.floor(r() * 40);
      for (let i = 0; i < n; i++) chars.push(String.fromCharCode(Math.floor(r() * 0x10000)));
      return chars.join("");
    }
    case 2: return pick(NUMBERS);
    case 3: return r() < 0.5;
    case 4: return pick([null, undefined]);
    case 5: return BigInt(Math.floor(r() * 1e6)) * (r() < 0.5 ? 1n : 10n ** 30n);
    case 6: return pick([Symbol("s"), () => 1, new Date(0), new Map([[1, 2]]), /re/g, new Uint8Array(3)]);
    case 7: return pick(STRINGS).repeat(Math.floor(r() * 500));
    case 8: return "+" + "9".repeat(Math.floor(r() * 100));
    case 9: case 10: {
      const o = {};
      const n = Math.floor(r() * 6);
      for (let i = 0; i < n; i++) o[pick(FIELDS)] = value(r, depth + 1);
      return o;
    }
    case 11: return Array.from({ length: Math.floor(r() * 5) }, () => value(r, depth + 1));
    default: return { customer: value(r, depth + 1) };
  }
}

function special(r) {
  const deep = [];
  let cursor = deep;
  for (let i = 0; i < 5000; i++) cursor = cursor[0] = [];
  const deepObject = { customer: { metadata: {} } };
  let m = deepObject.customer.metadata;
  for (let i = 0; i < 200; i++) m = m.k = {};
  const cyclic = { customer: { first_name: "Cy" } };
  cyclic.customer.metadata = { self: cyclic };
  const throwing = { customer: { get first_name() { throw new Error("getter"); } } };
  const proxy = new Proxy({}, { ownKeys() { throw new Error("trap"); }, get() { throw new Error("trap"); } });
  const huge = { customer: { first_name: "x".repeat(5_000_000), email: "a".repeat(100_000) + "@example.com" } };
  return [deep, deepObject, cyclic, throwing, proxy, huge, { customer: { first_name: "\ud800", metadata: { "\udfff": 1 } } }];
}

const PATH_PARTS = ["customer", ".", "[", "]", "[0]", "[18446744073709551616]", "[4000000000]", '["a.b"]', '["\\u0000"]', "email", "external_references", "metadata", "address", "country", '"', "\\", ""];
function randomPath(r) {
  let path = "";
  for (let n = Math.floor(r() * 6); n > 0; n--) path += PATH_PARTS[Math.floor(r() * PATH_PARTS.length)];
  return path;
}

const GOOD = { customer: { first_name: " Amelia ", phone: "(212) 555-4240" } };

for (const build of ["web", "node"]) {
  test(`${build} build survives random JS values through every export`, async () => {
    const api = await loadBuild(build);
    const r = rng(SEED);
    const inputs = [...special(r)];
    for (let i = 0; i < ROUNDS; i++) inputs.push(value(r, 0));
    const onlyTypeError = (fn) => {
      try {
        fn();
      } catch (e) {
        assert.ok(e instanceof TypeError, `expected a TypeError, got ${e?.constructor?.name}: ${e?.message}`);
      }
    };
    for (const input of inputs) {
      for (const validate of [api.validateStoreCustomer, api.validateSquareCustomer]) {
        const report = validate(input, { today: "2026-11-23" });
        assert.equal(typeof report.valid, "boolean");
        assert.equal(report.valid, report.errors.length === 0);
      }
      for (const update of [api.validateStoreCustomerUpdate, api.validateSquareCustomerUpdate]) {
        // The value as a patch, alone and against itself as the current customer (which may
        // only throw a TypeError, when the value is not JSON).
        const report = update(input, undefined, { today: "2026-11-23" });
        assert.equal(report.valid, report.errors.length === 0);
        onlyTypeError(() => assert.equal(typeof update(input, input).valid, "boolean"));
      }
      for (const schema of [api.storeCustomerSchema, api.squareCustomerSchema, api.storeCustomerUpdateSchema, api.squareCustomerUpdateSchema]) {
        const result = schema["~standard"].validate(input);
        assert.ok("value" in result || result.issues.length > 0);
      }
      const path = typeof input === "string" && r() < 0.3 ? input : randomPath(r);
      assert.ok(Array.isArray(api.validateField("store", path, input)));
      assert.ok(Array.isArray(api.validateField("square", "address.country", input, { defaultRegion: "GB" })));
      onlyTypeError(() => api.validateField(input, path, input));
      onlyTypeError(() => api.parseStoreForm(input));
      onlyTypeError(() => api.toSquare(input));
      onlyTypeError(() => api.fromSquare(input));
      onlyTypeError(() => api.validateStoreCustomer(GOOD, input));
    }
    // Still alive, and still right.
    const after = api.validateStoreCustomer(GOOD, { today: "2026-11-23" });
    assert.equal(after.valid, true);
    assert.equal(after.value.customer.phone, "+12125554240");
  });
}
