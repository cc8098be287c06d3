// Runs inside a temp project that installed the packed tarball: imports the package
// exactly as a consumer does and exercises every export (tests/node/package.test.mjs).
import assert from "node:assert/strict";
import {
  validateStoreCustomer,
  validateSquareCustomer,
  validateField,
  parseStoreForm,
  toSquare,
  fromSquare,
  storeCustomerSchema,
  squareCustomerSchema,
  validateStoreCustomerUpdate,
  validateSquareCustomerUpdate,
  storeCustomerUpdateSchema,
  squareCustomerUpdateSchema,
  createStoreCustomerSchema,
  createSquareCustomerSchema,
  createStoreCustomerUpdateSchema,
  createSquareCustomerUpdateSchema,
  flattenErrors,
  supportedRegions,
  phoneEngine,
} from "customer-validation";

const today = "2026-11-23";
assert.equal(phoneEngine, "regex", "Node resolves the `node` condition: the regex build");

const store = validateStoreCustomer(
  { customer: { first_name: " Amelia ", email: "amelia@EXAMPLE.com", phone: "(212) 555-4240", birthday: "1998-09-21" } },
  { today },
);
assert.deepEqual(store, {
  valid: true,
  errors: [],
  value: { customer: { first_name: "Amelia", email: "amelia@example.com", phone: "+12125554240", birthday: "1998-09-21" } },
});

const bad = validateStoreCustomer({ customer: { first_name: "", birthday: "2023-02-29" }, card_id: "x" }, { today });
assert.equal(bad.valid, false);
const byPath = Object.fromEntries(bad.errors.map((e) => [e.path, e.code]));
assert.equal(byPath["customer.first_name"], "required");
assert.equal(byPath["customer.birthday"], "invalid_date");
assert.equal(byPath["card_id"], "expected_integer");
for (const e of bad.errors) assert.equal(typeof e.message, "string") && assert.equal(typeof e.params, "object");

const square = validateSquareCustomer({ given_name: "Amelia", birthday: "09-21", colour: "blue" }, { today });
assert.deepEqual(square.errors.map((e) => [e.path, e.code]), [["colour", "unknown_field"]]);
assert.equal(square.value.birthday, "0000-09-21");

const gb = validateField("store", "customer.phone", "020 7946 0018", { defaultRegion: "GB" });
assert.deepEqual(gb, []);
const long = validateField("square", "given_name", "x".repeat(301));
assert.equal(long[0].code, "too_long");
assert.equal(long[0].params.max, 300);

const form = parseStoreForm(new URLSearchParams({ "customer[first_name]": "Amelia", "customer[email]": "a@example.com" }).toString());
assert.equal(form.customer.first_name, "Amelia");
assert.equal(validateStoreCustomer(form, { today }).valid, true);

const asSquare = toSquare(store.value);
assert.deepEqual(asSquare, { given_name: "Amelia", email_address: "amelia@example.com", phone_number: "+12125554240", birthday: "1998-09-21" });
assert.deepEqual(fromSquare(asSquare), store.value);

const std = storeCustomerSchema["~standard"];
assert.equal(std.version, 1);
assert.equal(std.vendor, "customer-validation");
assert.deepEqual(std.validate({ customer: { first_name: "Amelia", email: "a@example.com" } }), {
  value: { customer: { first_name: "Amelia", email: "a@example.com" } },
});
const issues = std.validate({ customer: { first_name: "A", email: "a@example.com", external_references: [{ source: "square", external_id: "1" }, { source: "My POS", external_id: "2" }] } }).issues;
assert.deepEqual(issues.map((i) => i.path), [["customer", "external_references", 1, "source"]]);
assert.equal(typeof issues[0].message, "string");
assert.ok(squareCustomerSchema["~standard"].validate({}).issues.length > 0);

assert.throws(() => validateStoreCustomer({}, { defaultRegion: "XX" }), { name: "TypeError", message: /defaultRegion "XX" is not a known region/ });
assert.throws(() => validateStoreCustomer({}, { today: "2026-02-30" }), { name: "TypeError", message: /today "2026-02-30"/ });
assert.throws(() => validateStoreCustomer({}, { region: "US" }), { name: "TypeError", message: /unknown option "region"/ });
assert.throws(() => validateSquareCustomer({}, { today: 20261123 }), { name: "TypeError", message: /today must be a "YYYY-MM-DD" string/ });
assert.throws(() => validateField("shop", "customer.email", "a@b.co"), { name: "TypeError", message: /shape must be "store" or "square"/ });
assert.throws(() => toSquare({ customer: { first_name: 5 } }), { name: "TypeError", message: /toSquare expects a normalized store request/ });
// Bad input is a report, never an exception.
assert.equal(validateStoreCustomer("not an object").errors[0].code, "expected_object");
assert.equal(validateStoreCustomer(undefined).valid, false);

// Updates: a patch alone gets field rules; with the current customer, the merged rules too.
const current = { first_name: "Amelia", email: "amelia@example.com", phone: null };
assert.deepEqual(validateStoreCustomerUpdate({ customer: { email: null } }), {
  valid: true,
  errors: [],
  value: { customer: { email: null } },
});
const removed = validateStoreCustomerUpdate({ customer: { email: null } }, current);
assert.deepEqual(removed.errors.map((e) => e.code), ["email_or_phone_required", "email_or_phone_required"]);
const national = validateStoreCustomerUpdate({ customer: { phone: "020 7946 0018" } }, current, { defaultRegion: "GB" });
assert.equal(national.value.customer.phone, "+442079460018");
assert.equal(validateSquareCustomerUpdate({ version: -1 }).errors[0].code, "out_of_range");
assert.throws(() => validateStoreCustomerUpdate({}, { bad: 1n }), TypeError, "a current customer that is not JSON");
assert.deepEqual(storeCustomerUpdateSchema["~standard"].validate({ customer: { last_name: null } }), { value: { customer: { last_name: null } } });
assert.ok(squareCustomerUpdateSchema["~standard"].validate({ colour: "blue" }).issues.length > 0);

// Schemas made for a form's region and day; issues carry `code` and `params`.
const gbSchema = createStoreCustomerSchema({ defaultRegion: "GB", today });
const gbPhone = { customer: { first_name: "Amelia", phone: "020 7946 0018" } };
assert.deepEqual(gbSchema["~standard"].validate(gbPhone), { value: { customer: { first_name: "Amelia", phone: "+442079460018" } } });
const asUs = storeCustomerSchema["~standard"].validate(gbPhone).issues;
assert.deepEqual(asUs.map(({ path, code }) => ({ path, code })), [{ path: ["customer", "phone"], code: "invalid_phone" }], "the constant schema reads US numbers");
assert.equal(asUs[0].params.reason, "invalid");
const tooLong = createSquareCustomerSchema({ today })["~standard"].validate({ given_name: "x".repeat(301) }).issues[0];
assert.deepEqual([tooLong.code, tooLong.params.max], ["too_long", 300]);
const future = createStoreCustomerUpdateSchema({ today: "2026-01-01" })["~standard"].validate({ customer: { birthday: "2026-06-01" } });
assert.equal(future.issues[0].code, "date_in_future", "the schema's own today");
assert.ok("value" in createSquareCustomerUpdateSchema()["~standard"].validate({ note: null }));
assert.throws(() => createStoreCustomerSchema({ defaultRegion: "XX" }), { name: "TypeError", message: /defaultRegion "XX"/ });
// Messages for form code, and the regions a country selector offers.
const flat = flattenErrors(validateStoreCustomer({ customer: { email: "nope" } }, { today }));
assert.deepEqual(Object.keys(flat.fieldErrors), ["customer.first_name", "customer.email"]);
assert.deepEqual(flattenErrors(validateSquareCustomer({}, { today })).formErrors.length, 1, "one-of is about the whole request");
assert.throws(() => flattenErrors("no report"), TypeError);
const regions = supportedRegions();
assert.ok(regions.length > 200, `${regions.length} regions`);
assert.deepEqual(regions.find((r) => r.region === "GB"), { region: "GB", callingCode: 44 });
assert.ok(regions.every((r, i) => i === 0 || regions[i - 1].region < r.region), "by region");
assert.equal(supportedRegions(), regions, "built once");
console.log("consumer: every export behaved");
