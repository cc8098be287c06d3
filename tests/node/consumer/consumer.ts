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
  phoneEngine,
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
const engine: "lite" | "regex" = phoneEngine;
// @ts-expect-error: the shape is checked
validateField("shop", "x", 1);
// @ts-expect-error: options are checked
validateStoreCustomer({}, { region: "US" });
void [phone, codes, country, field, form, engine, inferred, inferredSquare, notAny, notAnyValue];
