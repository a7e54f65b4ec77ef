import { z, type ZodIssue } from "zod";

// Query strings carry only strings: these accept the JSON form and the query form of a value.
export const qBool = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());
export const qInt = (min = 0, max = Number.MAX_SAFE_INTEGER) => z.preprocess((v) => (typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v), z.number().int().min(min).max(max));
// The SDK sends an empty list as `key=` (one empty value).
export const qArray = <T extends z.ZodTypeAny>(item: T) => z.preprocess((v) => (v === "" ? [] : typeof v === "string" ? [v] : v), z.array(item).max(1000));

export const id = z.string().uuid("must be a UUID");
export const timestamp = z.string().datetime({ offset: true, message: "must be an ISO 8601 date-time, e.g. 2026-11-26T12:00:00Z" });
export const name = z.string().max(200, "must be at most 200 characters").nullable();
/** A PIN: digits as a string; an empty string is refused (omit code to have one generated). */
export const pin = z.string().min(1, "must not be empty; omit code to have the hub generate one").max(16, "must be at most 16 characters");

const refusedSchemas = new WeakSet<z.ZodTypeAny>();

/**
 * A parameter Seam's OpenAPI defines that this hub cannot honour: any value is a 400 naming it and why
 * (never silently ignored). The reason says what to do instead.
 */
export function refused(reason: string): z.ZodTypeAny {
  const s = z.unknown().superRefine((v, ctx) => {
    if (v !== undefined) ctx.addIssue({ code: "custom", message: `not supported by this hub: ${reason}` });
  });
  refusedSchemas.add(s);
  return s;
}
export const isRefused = (s: z.ZodTypeAny): boolean => refusedSchemas.has(s);

/** A flag the hub honours only in its default sense: `false` (or omitted) is what it does; `true` is refused. */
export const onlyFalse = (reason: string) => qBool.refine((v) => v === false, { message: `true is not supported by this hub: ${reason}` });
/** A flag the hub honours only in its default sense: `true` (or omitted) is what it does; `false` is refused. */
export const onlyTrue = (reason: string) => qBool.refine((v) => v === true, { message: `false is not supported by this hub: ${reason}` });

/** Seam's `sync` ("only used internally"): the hub answers once the change is durably accepted, never after the lock. */
export const syncParam = onlyFalse("the hub answers as soon as the change is durably accepted; follow the access code's status and events");

/** One clear sentence per problem, naming the field. Never echoes the value (it may be a PIN). */
function describeIssue(i: ZodIssue): string {
  const field = i.path.length ? i.path.join(".") : "body";
  if (i.code === "invalid_type") return i.received === "undefined" ? `${field} is required` : `${field} must be ${i.expected}, got ${i.received}`;
  if (i.code === "unrecognized_keys") return `unknown parameter(s): ${i.keys.join(", ")}`;
  return `${field}: ${i.message}`;
}

export function describeParamIssues(issues: readonly ZodIssue[]): string {
  return issues.slice(0, 5).map(describeIssue).join("; ");
}

/** The same sentences per top-level parameter, for Seam's validation_errors (`_errors` when no field is at fault). */
export function paramIssueFields(issues: readonly ZodIssue[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const i of issues.slice(0, 20)) {
    const field = i.path.length ? String(i.path[0]) : "_errors";
    out.set(field, [...(out.get(field) ?? []), describeIssue(i)]);
  }
  return out;
}
