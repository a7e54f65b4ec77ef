import { z, type ZodIssue } from "zod";

// Query strings carry only strings: these accept the JSON form and the query form of a value.
export const qBool = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());
export const qInt = (min = 0, max = Number.MAX_SAFE_INTEGER) => z.preprocess((v) => (typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v), z.number().int().min(min).max(max));
export const qArray = <T extends z.ZodTypeAny>(item: T) => z.preprocess((v) => (typeof v === "string" ? [v] : v), z.array(item).max(1000));

export const id = z.string().uuid("must be a UUID");
export const timestamp = z.string().datetime({ offset: true, message: "must be an ISO 8601 date-time, e.g. 2026-11-26T12:00:00Z" });
export const name = z.string().max(200, "must be at most 200 characters").nullable();
/** A PIN: digits as a string; an empty string is refused (omit code to have one generated). */
export const pin = z.string().min(1, "must not be empty; omit code to have the hub generate one").max(16, "must be at most 16 characters");

/** One clear sentence per problem, naming the field. Never echoes the value (it may be a PIN). */
export function describeParamIssues(issues: readonly ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => {
      const field = i.path.length ? i.path.join(".") : "body";
      if (i.code === "invalid_type") return i.received === "undefined" ? `${field} is required` : `${field} must be ${i.expected}, got ${i.received}`;
      if (i.code === "unrecognized_keys") return `unknown parameter(s): ${i.keys.join(", ")}`;
      return `${field}: ${i.message}`;
    })
    .join("; ");
}
