// The same store-request rules written with the usual JavaScript stack: zod 4 for the
// shape, validator.js `isEmail`, libphonenumber-js/max for phones. The comparison point of
// `make bench-wasm` (throughput here, bundle size in sizes.mjs).
import * as z from "zod";
import isEmail from "validator/lib/isEmail.js";
import { parsePhoneNumberWithError } from "libphonenumber-js/max";

const SLUG = /^[a-z0-9]+(?:[_-][a-z0-9]+)*$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const trimmed = (max) => z.string().trim().max(max);

function metadataDepth(v, depth = 1) {
  if (v === null || typeof v !== "object") return depth - 1;
  let max = depth;
  for (const item of Object.values(v)) max = Math.max(max, metadataDepth(item, depth + 1));
  return max;
}
const metadata = z
  .record(z.string().min(1).max(40), z.unknown())
  .refine((m) => JSON.stringify(m).length <= 16384, "is too large")
  .refine((m) => metadataDepth(m) <= 8, "is nested too deeply");

function realDate(text, today) {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y === 0 ? 2000 : y, mo - 1, d));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return false;
  return y === 0 || text <= today;
}

export function storeSchema(options) {
  const region = options.default_region ?? "US";
  const today = options.today ?? "2026-11-23";
  return z
    .object({
      customer: z
        .object({
          first_name: trimmed(300).min(1),
          last_name: trimmed(300).optional(),
          email: trimmed(254)
            .refine((e) => isEmail(e, { allow_utf8_local_part: true }), "is not a valid email address")
            .transform((e) => {
              const at = e.lastIndexOf("@");
              return e.slice(0, at) + e.slice(at).toLowerCase();
            })
            .optional(),
          phone: z
            .string()
            .trim()
            .transform((p, ctx) => {
              try {
                const n = parsePhoneNumberWithError(p, region);
                if (n.isValid()) return n.number;
              } catch {}
              ctx.addIssue({ code: "custom", message: "is not a valid phone number" });
              return z.NEVER;
            })
            .optional(),
          birthday: z.string().trim().refine((b) => realDate(b, today), "is not a valid date").optional(),
          metadata: metadata.optional(),
          external_references: z
            .array(z.object({ source: z.string().trim().max(50).regex(SLUG), external_id: trimmed(255).min(1), metadata: metadata.optional() }))
            .max(50)
            .optional(),
        })
        .refine((c) => c.email || c.phone, { message: "email or phone is required", path: ["email"] }),
      card_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
      send_card_links: z.boolean().optional(),
    });
}

const schemas = new Map();
export function validateWithJsStack(request, options) {
  const key = `${options.default_region}|${options.today}`;
  let schema = schemas.get(key);
  if (!schema) schemas.set(key, (schema = storeSchema(options)));
  const result = schema.safeParse(request);
  return result.success ? { valid: true, value: result.data } : { valid: false, errors: result.error.issues };
}
