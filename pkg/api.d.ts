// The package's JavaScript API (pkg/core.js, pkg/node.js, pkg/src/browser.js), declared
// beside the code that implements it. `make pkg` writes pkg/index.d.ts from this file and
// the types generated from the Rust source: the request shapes `tsify` derives from
// src/model/ and the `Code` union made from src/report.rs's list.

/** A JSON value, as the requests' free-form `metadata` holds. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Options of every validation call; a bad option throws a `TypeError`. */
export interface Options {
  /** ISO 3166-1 alpha-2 region for phone numbers without `+` (default `"US"`). */
  defaultRegion?: string;
  /** `"YYYY-MM-DD"`: the date a birthday may not be after (default: today at UTC+14). */
  today?: string;
  /**
   * BCP 47 tag of the messages (default English), falling back along its parents
   * (`"pt-BR"` → `"pt"` → `"en"`). The Node build has every locale; the browser build has
   * English and what `loadLocale` or `addLocale` added.
   */
  locale?: string;
  /**
   * Your own templates, per code and per field path, e.g.
   * `{ invalid_email: "Check {reason}", "customer.email": { required: "We need your email" } }`;
   * `{max}` names a parameter, `{max, plural, one {# item} other {# items}}` takes its plural form.
   */
  messages?: { [codeOrPath: string]: string | { [code: string]: string } };
}

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

/**
 * The verdict on one request: every violation at once, and the normalized request. It
 * narrows on `valid`: when true, `errors` is empty and `value` is the request as it will be
 * stored (trimmed, E.164 phones, …).
 */
export type Report<T> =
  | { valid: true; errors: []; value: T }
  | {
      valid: false;
      errors: Violation[];
      /** What could be normalized of the request; `null` if the input was not an object. */
      value: T | null;
    };

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

/** A Standard Schema issue, with the violation's `code` and `params` beside `message` and `path`. */
export interface CustomerSchemaIssue {
  readonly message: string;
  readonly path: ReadonlyArray<string | number>;
  readonly code: Code;
  readonly params: { readonly [key: string]: JsonValue };
}

/** Our Standard Schema objects: `validate` answers synchronously, paths are keys and indices. */
export interface CustomerSchema<Output> extends StandardSchemaV1<unknown, Output> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: "customer-validation";
    readonly validate: (
      value: unknown,
    ) => { readonly value: Output; readonly issues?: undefined } | { readonly issues: ReadonlyArray<CustomerSchemaIssue> };
    readonly types?: StandardSchemaV1.Types<unknown, Output> | undefined;
  };
}

/** Validates a store API create-customer request; never throws for bad input. */
export function validateStoreCustomer(input: unknown, options?: Options): Report<StoreRequest>;
/** Validates a Square `CreateCustomer` request; never throws for bad input. */
export function validateSquareCustomer(input: unknown, options?: Options): Report<SquareCustomerRequest>;
/**
 * Validates a store API patch (`PATCH …/customers/:id`): a present field by its create rule,
 * an absent one unchanged, `null` or blank removes it (`first_name` can't be removed). With
 * `current` (the customer as stored), email-or-phone and the merged metadata and reference
 * limits run on the customer as it will be; without it, field rules only.
 */
export function validateStoreCustomerUpdate(patch: unknown, current?: unknown, options?: Options): Report<StoreCustomerPatch>;
/** Validates a Square `UpdateCustomer` body (sparse, `null` removes, `version` ≥ 0); with `current`, the one-of rule on the merged customer. */
export function validateSquareCustomerUpdate(patch: unknown, current?: unknown, options?: Options): Report<SquareCustomerPatch>;
/** The violations at `path` (e.g. `"customer.email"`) or below it, for as-you-type checks. */
export function validateField(shape: Shape, path: string, value: unknown, options?: Options): Violation[];
/** The store request of a form body: `new URLSearchParams(new FormData(form)).toString()`. */
export function parseStoreForm(urlencoded: string): { [key: string]: JsonValue };
/** The Square request for a normalized store request (a valid report's `value`); a `TypeError` for anything else. */
export function toSquare(storeRequest: StoreRequest): SquareCustomerRequest;
/** The store request for a normalized Square request (a valid report's `value`); a `TypeError` for anything else. */
export function fromSquare(squareRequest: SquareCustomerRequest): StoreRequest;
/** A store API patch: every field optional; `null` removes it (`first_name` can't be removed). */
export interface StoreCustomerPatch {
  customer?: {
    first_name?: string;
    last_name?: string | null;
    email?: string | null;
    phone?: string | null;
    birthday?: string | null;
    /** Shallow-merged into the stored object; a key set to `null` is removed. */
    metadata?: { [key: string]: JsonValue } | null;
    /** Upserted by `(source, external_id)`. */
    external_references?: ExternalReference[] | null;
  };
}
/** A Square `UpdateCustomer` body: every field optional, `null` removes it. */
export type SquareCustomerPatch = {
  [K in Exclude<keyof SquareCustomerRequest, "idempotency_key">]?: SquareCustomerRequest[K] | null;
} & { version?: number };
/** Standard Schema v1 for store patches, field rules only (region US, today from the clock). */
export const storeCustomerUpdateSchema: CustomerSchema<StoreCustomerPatch>;
/** Standard Schema v1 for Square patches, field rules only (region US, today from the clock). */
export const squareCustomerUpdateSchema: CustomerSchema<SquareCustomerPatch>;
/** Standard Schema v1 for store requests (region US, today from the clock). */
export const storeCustomerSchema: CustomerSchema<StoreRequest>;
/** Standard Schema v1 for Square requests (region US, today from the clock). */
export const squareCustomerSchema: CustomerSchema<SquareCustomerRequest>;
/** Which build was loaded: `"host"` (browser build, the host's RegExp) or `"regex"` (Node build). */
export const phoneEngine: "host" | "regex";
/** A Standard Schema for store requests judged with these options (`defaultRegion`, `today`); a bad option throws here. */
export function createStoreCustomerSchema(options?: Options): CustomerSchema<StoreRequest>;
/** A Standard Schema for Square requests judged with these options; a bad option throws here. */
export function createSquareCustomerSchema(options?: Options): CustomerSchema<SquareCustomerRequest>;
/** A Standard Schema for store patches (field rules only) judged with these options. */
export function createStoreCustomerUpdateSchema(options?: Options): CustomerSchema<StoreCustomerPatch>;
/** A Standard Schema for Square patches (field rules only) judged with these options. */
export function createSquareCustomerUpdateSchema(options?: Options): CustomerSchema<SquareCustomerPatch>;
/** A report's messages as form code wants them: about the whole request, and by field path (`"customer.email"`). */
export function flattenErrors(report: { readonly errors: ReadonlyArray<Violation> }): {
  formErrors: string[];
  fieldErrors: { [path: string]: string[] };
};
/** Every region the phone rules know, by code, with its calling code: what a country selector offers. */
export function supportedRegions(): ReadonlyArray<{ readonly region: string; readonly callingCode: number }>;
/** The message of `code` (or `"signup_accepted"`, `"signup_rate_limited"`) for `params`, in `options.locale`. */
export function formatMessage(code: Code | "signup_accepted" | "signup_rate_limited", params?: { [name: string]: JsonValue }, options?: Options): string;
/** The catalogue's locales: `["en", "ar", "de", …]`. */
export function supportedLocales(): string[];
/**
 * Makes `tag`'s messages available: the browser build fetches `locales/<file>.json` beside
 * the package (the Node build has them all). Resolves to the locale it fell back to and its
 * writing direction, for `<html lang dir>`; rejects with an Error saying why (and may be retried).
 */
export function loadLocale(tag: string): Promise<{ locale: string; direction: "ltr" | "rtl" }>;
/** Adds a locale from its catalogue file (e.g. `customer-validation/locales/de.json` imported as JSON); returns its tag. */
export function addLocale(catalogue: string | object): string;
