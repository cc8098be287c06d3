// Types of `customer-validation`, the same for the Node and the browser build. The request
// shapes mirror the Rust model (src/model/); `make test-wasm` checks this file and a
// consumer with `tsc --noEmit`, and the tests compare every export's answers to the Rust
// library's.

/** A JSON value, as the requests' free-form `metadata` holds. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Options of every validation call; a bad option throws a `TypeError`. */
export interface Options {
  /** ISO 3166-1 alpha-2 region for phone numbers without `+` (default `"US"`). */
  defaultRegion?: string;
  /** `"YYYY-MM-DD"`: the date a birthday may not be after (default: today at UTC+14). */
  today?: string;
}

/** One `customer.external_references` entry of a normalized store request. */
export interface ExternalReference {
  source: string;
  external_id: string;
  metadata?: { [key: string]: JsonValue };
}

/** The `customer` object of a normalized store request. */
export interface StoreCustomer {
  first_name?: string;
  last_name?: string;
  /** Domain lower-cased, IDN domains in Unicode. */
  email?: string;
  /** E.164, e.g. `"+12125554240"`. */
  phone?: string;
  /** `YYYY-MM-DD`; year `0000` = unknown. */
  birthday?: string;
  metadata?: { [key: string]: JsonValue };
  external_references?: ExternalReference[];
}

/** The store API's create-customer request, normalized. */
export interface StoreRequest {
  customer: StoreCustomer;
  card_id?: number;
  send_card_links?: boolean;
}

/** Square's `Address`. */
export interface Address {
  address_line_1?: string;
  address_line_2?: string;
  address_line_3?: string;
  locality?: string;
  sublocality?: string;
  sublocality_2?: string;
  sublocality_3?: string;
  administrative_district_level_1?: string;
  administrative_district_level_2?: string;
  administrative_district_level_3?: string;
  postal_code?: string;
  /** ISO 3166-1 alpha-2. */
  country?: string;
  first_name?: string;
  last_name?: string;
}

/** Square's `CustomerTaxIds`. */
export interface TaxIds {
  eu_vat?: string;
}

/** Square's `CreateCustomer` request, normalized. */
export interface SquareCustomerRequest {
  idempotency_key?: string;
  given_name?: string;
  family_name?: string;
  company_name?: string;
  nickname?: string;
  email_address?: string;
  address?: Address;
  phone_number?: string;
  reference_id?: string;
  note?: string;
  /** `YYYY-MM-DD`; `0000-MM-DD` when the year is unknown. */
  birthday?: string;
  tax_ids?: TaxIds;
}

/** Every violation code. */
export type Code =
  | "required"
  | "too_long"
  | "invalid_characters"
  | "invalid_email"
  | "invalid_phone"
  | "invalid_date"
  | "date_in_future"
  | "out_of_range"
  | "email_or_phone_required"
  | "one_of_required"
  | "expected_string"
  | "expected_integer"
  | "expected_boolean"
  | "expected_object"
  | "expected_array"
  | "too_large"
  | "too_deep"
  | "invalid_key"
  | "too_many"
  | "invalid_slug"
  | "invalid_value"
  | "invalid_country"
  | "unknown_field"
  | "taken"
  | "idempotency_key_reused";

/** One broken rule. */
export interface Violation {
  /** From the request root: `"customer.external_references[1].source"`. */
  path: string;
  code: Code;
  /** English sentence for a form; translate from `code` and `params` instead if needed. */
  message: string;
  /** The figures of the message (`{ max: 300 }`); never the submitted value. */
  params: { [key: string]: JsonValue };
}

/** The verdict on one request: every violation at once, and the normalized request. */
export interface Report<T> {
  valid: boolean;
  errors: Violation[];
  /** The request as it would be stored (trimmed, E.164 phones, …); `null` if the input was not an object. */
  value: T | null;
}

/** Which request shape `validateField` reads the path in. */
export type Shape = "store" | "square";

/** Standard Schema v1 (https://standardschema.dev), as form libraries consume it. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": StandardSchemaV1.Props<Input, Output>;
}

export declare namespace StandardSchemaV1 {
  interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    readonly types?: Types<Input, Output> | undefined;
  }
  type Result<Output> = SuccessResult<Output> | FailureResult;
  interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }
  interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  interface PathSegment {
    readonly key: PropertyKey;
  }
  interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema["~standard"]["types"]>["input"];
  type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema["~standard"]["types"]>["output"];
}

/** Our Standard Schema objects: `validate` answers synchronously, paths are keys and indices. */
export interface CustomerSchema<Output> extends StandardSchemaV1<unknown, Output> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: "customer-validation";
    readonly validate: (
      value: unknown,
    ) => { readonly value: Output; readonly issues?: undefined } | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path: ReadonlyArray<string | number> }> };
    readonly types?: StandardSchemaV1.Types<unknown, Output> | undefined;
  };
}

/** Validates a store API create-customer request; never throws for bad input. */
export function validateStoreCustomer(input: unknown, options?: Options): Report<StoreRequest>;
/** Validates a Square `CreateCustomer` request; never throws for bad input. */
export function validateSquareCustomer(input: unknown, options?: Options): Report<SquareCustomerRequest>;
/** The violations at `path` (e.g. `"customer.email"`) or below it, for as-you-type checks. */
export function validateField(shape: Shape, path: string, value: unknown, options?: Options): Violation[];
/** The store request of a form body: `new URLSearchParams(new FormData(form)).toString()`. */
export function parseStoreForm(urlencoded: string): { [key: string]: JsonValue };
/** The Square request for a normalized store request (a valid report's `value`). */
export function toSquare(storeRequest: StoreRequest): SquareCustomerRequest;
/** The store request for a normalized Square request (a valid report's `value`). */
export function fromSquare(squareRequest: SquareCustomerRequest): StoreRequest;
/** Standard Schema v1 for store requests (region US, today from the clock). */
export const storeCustomerSchema: CustomerSchema<StoreRequest>;
/** Standard Schema v1 for Square requests (region US, today from the clock). */
export const squareCustomerSchema: CustomerSchema<SquareCustomerRequest>;
/** Which build was loaded: `"lite"` (browser build) or `"regex"` (Node build). */
export const phoneEngine: "lite" | "regex";
