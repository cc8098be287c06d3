// Type-checked with `tsc --noEmit --strict` against the installed package's declarations.
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
  phoneEngine,
  createStoreCustomerSchema,
  createSquareCustomerUpdateSchema,
  flattenErrors,
  supportedRegions,
  type CustomerSchemaIssue,
  type StoreCustomerPatch,
  type SquareCustomerPatch,
  type Report,
  type StoreRequest,
  type SquareCustomerRequest,
  type Violation,
  type Code,
  type StandardSchemaV1,
} from "customer-validation";

const report: Report<StoreRequest> = validateStoreCustomer({ customer: { first_name: "A" } }, { defaultRegion: "GB", today: "2026-11-23" });
const phone: string | undefined = report.value?.customer.phone;
const codes: Code[] = report.errors.map((e: Violation) => e.code);
const sq: Report<SquareCustomerRequest> = validateSquareCustomer({});
const country: string | undefined = sq.value?.address?.country;
const field: Violation[] = validateField("square", "address.country", "ZZ");
const form = parseStoreForm("customer[first_name]=A");
if (report.valid && report.value) {
  const square: SquareCustomerRequest = toSquare(report.value);
  const back: StoreRequest = fromSquare(square);
  void back;
}
// A report narrows on `valid`: the normalized request, no errors.
if (report.valid) {
  const value: StoreRequest = report.value;
  const none: [] = report.errors;
  void value, none;
}
const configured = createStoreCustomerSchema({ defaultRegion: "GB", today: "2026-11-23" });
const checked = configured["~standard"].validate({});
if (checked.issues) {
  const issue: CustomerSchemaIssue = checked.issues[0];
  const issueCode: Code = issue.code;
  void issueCode;
}
const patchSchema = createSquareCustomerUpdateSchema();
void patchSchema;
const { formErrors, fieldErrors } = flattenErrors(report);
const emailErrors: string[] | undefined = fieldErrors["customer.email"];
const gbCode: number | undefined = supportedRegions().find((r) => r.region === "GB")?.callingCode;
void formErrors, emailErrors, gbCode;
// Any Standard Schema consumer accepts our objects.
function useSchema<S extends StandardSchemaV1>(schema: S): S { return schema; }
useSchema(storeCustomerSchema);
useSchema(squareCustomerSchema);
const result = storeCustomerSchema["~standard"].validate({});
if (result.issues) {
  const path: ReadonlyArray<string | number> = result.issues[0].path;
  void path;
} else {
  const value: StoreRequest = result.value;
  void value;
}
// Form libraries infer the output type through `types`.
const inferred: StandardSchemaV1.InferOutput<typeof storeCustomerSchema> = { customer: { first_name: "A" } };
const inferredSquare: StandardSchemaV1.InferOutput<typeof squareCustomerSchema> = { given_name: "A" };
// @ts-expect-error: the inferred output is a StoreRequest, not anything
const notAny: StandardSchemaV1.InferOutput<typeof storeCustomerSchema> = 5;
// @ts-expect-error: a report's value is typed, not any
const notAnyValue: number = report.value;
const engine: "host" | "regex" = phoneEngine;
// Updates: patches whose fields are all optional, null where it removes.
const patch: Report<StoreCustomerPatch> = validateStoreCustomerUpdate({ customer: { email: null } }, { first_name: "A", phone: "+12125554240" });
const removedEmail: string | null | undefined = patch.value?.customer?.email;
const squarePatch: Report<SquareCustomerPatch> = validateSquareCustomerUpdate({ nickname: null, version: 2 }, undefined, { defaultRegion: "GB" });
const version: number | undefined = squarePatch.value?.version;
useSchema(storeCustomerUpdateSchema);
useSchema(squareCustomerUpdateSchema);
const typedPatch: StoreCustomerPatch = { customer: { last_name: null, metadata: { tier: "gold" } } };
// @ts-expect-error: first_name can't be removed
const noFirstName: StoreCustomerPatch = { customer: { first_name: null } };
const typedSquarePatch: SquareCustomerPatch = { given_name: null, address: { country: "GB" }, version: 0 };
void removedEmail; void version; void typedPatch; void noFirstName; void typedSquarePatch;
// @ts-expect-error: the shape is checked
validateField("shop", "x", 1);
// @ts-expect-error: options are checked
validateStoreCustomer({}, { region: "US" });
// Every field of the Rust model is declared, with its type (the declarations are derived
// from src/model/): an undeclared or mistyped field here fails the check.
const everyStoreField: StoreRequest = {
  customer: {
    first_name: "A", last_name: "B", email: "a@example.com", phone: "+12125554240", birthday: "0000-09-21",
    metadata: { tier: "gold", nested: [1, null, { ok: true }] },
    external_references: [{ source: "my_pos", external_id: "42", metadata: { a: "b" } }],
  },
  card_id: 12,
  send_card_links: true,
};
const everySquareField: SquareCustomerRequest = {
  idempotency_key: "k", given_name: "A", family_name: "B", company_name: "C", nickname: "D",
  email_address: "a@example.com", phone_number: "+12125554240", reference_id: "r", note: "n", birthday: "09-21",
  address: {
    address_line_1: "1", address_line_2: "2", address_line_3: "3", locality: "l", sublocality: "s",
    sublocality_2: "s2", sublocality_3: "s3", administrative_district_level_1: "a1",
    administrative_district_level_2: "a2", administrative_district_level_3: "a3", postal_code: "p",
    country: "GB",
  },
  tax_ids: { eu_vat: "GB123" },
};
// @ts-expect-error: Square's address names are ignored, so not part of the model
const addressName: SquareCustomerRequest = { given_name: "A", address: { first_name: "f" } };
void addressName;
// @ts-expect-error: card_id is a number
const badCard: StoreRequest = { customer: {}, card_id: "12" };
// @ts-expect-error: a field the model does not have
const unknownField: SquareCustomerRequest = { favourite_colour: "red" };
const everyCode: Code[] = ["required", "too_long", "invalid_phone", "idempotency_key_reused"];
// @ts-expect-error: not a code
const notACode: Code = "invalid_colour";
void [everyStoreField, everySquareField, badCard, unknownField, everyCode, notACode];
void [phone, codes, country, field, form, engine, inferred, inferredSquare, notAny, notAnyValue];
