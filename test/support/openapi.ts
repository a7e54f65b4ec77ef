// The pinned OpenAPI document of @seamapi/types 1.885.0 as a test oracle: response schemas compiled with
// ajv (OpenAPI 3.0 `nullable` turned into JSON Schema type unions) and the parameters each path defines.
import { openapi } from "@seamapi/types/connect";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/** The groups of Seam's namespace the hub serves (protocol.md §1). */
export const SEAM_GROUPS = ["/access_codes/", "/devices/", "/locks/", "/events/", "/action_attempts/"] as const;
export const inSeamNamespace = (p: string) => SEAM_GROUPS.some((g) => p.startsWith(g));

type Schema = Record<string, unknown>;
interface Operation {
  requestBody?: { content?: { "application/json"?: { schema?: Schema } } };
  responses: Record<string, { content?: { "application/json"?: { schema?: Schema } } }>;
}
const doc = openapi as unknown as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

/** Every path of those groups in the document. */
export function seamOpenapiPaths(): string[] {
  return Object.keys(doc.paths).filter(inSeamNamespace).sort();
}

const REF_BASE = "seam-openapi";
// OpenAPI-only annotations, not JSON Schema keywords (dropped; `nullable` is turned into a type union).
const DROPPED = new Set(["nullable", "discriminator", "deprecated", "example", "readOnly", "writeOnly"]);
const isAnnotation = (k: string) => DROPPED.has(k) || k.startsWith("x-");

/**
 * OpenAPI 3.0 schema -> JSON Schema: `nullable: true` beside a `type` becomes `type: [T, "null"]` (and null
 * joins an `enum`); `nullable` without a type already allows anything. Refs point into the registered document.
 */
export function toJsonSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toJsonSchema);
  if (!s || typeof s !== "object") return s;
  const src = s as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(src)) {
    if (isAnnotation(k)) continue;
    if (k === "properties" || k === "patternProperties" || k === "definitions") {
      out[k] = Object.fromEntries(Object.entries(v as Schema).map(([name, sub]) => [name, toJsonSchema(sub)]));
    } else if (k === "$ref" && typeof v === "string") {
      out[k] = v.startsWith("#/") ? `${REF_BASE}${v}` : v;
    } else if (["items", "additionalProperties", "not", "oneOf", "anyOf", "allOf"].includes(k)) {
      out[k] = toJsonSchema(v);
    } else out[k] = v;
  }
  // OpenAPI 3.0 (draft 4) spells exclusive bounds as booleans beside minimum/maximum.
  for (const [flag, bound] of [["exclusiveMinimum", "minimum"], ["exclusiveMaximum", "maximum"]] as const) {
    if (typeof src[flag] !== "boolean") continue;
    delete out[flag];
    if (src[flag] === true && typeof src[bound] === "number") {
      out[flag] = src[bound];
      delete out[bound];
    }
  }
  if (src.nullable === true && typeof src.type === "string") {
    out.type = [src.type, "null"];
    if (Array.isArray(src.enum) && !src.enum.includes(null)) out.enum = [...src.enum, null];
  }
  if (src.nullable === true && (src.oneOf || src.anyOf || src.allOf || src.$ref) && !src.type) {
    // A nullable composition: null, or what the composition allows.
    const { ...rest } = out;
    return { anyOf: [{ type: "null" }, rest] };
  }
  return out;
}

let ajv: Ajv | null = null;
const validators = new Map<string, ValidateFunction>();

function compiler(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  ajv.addFormat("float", true);
  ajv.addSchema({ $id: REF_BASE, components: { schemas: Object.fromEntries(Object.entries(doc.components.schemas).map(([name, s]) => [name, toJsonSchema(s)])) } });
  return ajv;
}

/** The 200 response schema of `path` (POST), as the document has it. */
export function responseSchema(path: string): Schema {
  const s = doc.paths[path]?.post?.responses["200"]?.content?.["application/json"]?.schema;
  if (!s) throw new Error(`the OpenAPI document has no POST 200 schema for ${path}`);
  return s;
}

/** null when `body` is a valid 200 body of `path`; otherwise the problems, one per line. */
export function responseProblems(path: string, body: unknown): string | null {
  let v = validators.get(path);
  if (!v) {
    v = compiler().compile(toJsonSchema(responseSchema(path)) as Schema);
    validators.set(path, v);
  }
  if (v(body)) return null;
  // oneOf failures list every branch; the deepest paths say most.
  const errs = [...(v.errors ?? [])].sort((a, b) => b.instancePath.length - a.instancePath.length);
  return errs
    .slice(0, 8)
    .map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${e.params ? JSON.stringify(e.params) : ""}`)
    .join("\n");
}

export interface OpenapiParam {
  readonly name: string;
  readonly schema: Schema;
  readonly required: boolean;
}

/** The parameters the document defines for `path` (its JSON request body; GET/DELETE take the same as a query). */
export function openapiParams(path: string): OpenapiParam[] {
  const body = doc.paths[path]?.post?.requestBody?.content?.["application/json"]?.schema;
  if (!body) return [];
  const branches = (body.oneOf ?? body.anyOf ?? [body]) as Schema[];
  const out = new Map<string, OpenapiParam>();
  for (const b of branches) {
    const required = new Set((b.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((b.properties as Record<string, Schema> | undefined) ?? {})) {
      if (!out.has(name)) out.set(name, { name, schema, required: required.has(name) && branches.length === 1 });
    }
  }
  return [...out.values()];
}

/** A well-typed value for a parameter's schema (its first enum value, a UUID for uuid strings, ...). */
export function sampleValue(s: Schema): unknown {
  if (Array.isArray(s.enum) && s.enum.length) return s.enum.find((e) => e !== null);
  const first = (s.oneOf ?? s.anyOf) as Schema[] | undefined;
  if (first?.length) return sampleValue(first[0]!);
  switch (s.type) {
    case "string":
      return s.format === "uuid" ? "6ba7b810-9dad-41d1-80b4-00c04fd430c8" : s.format === "date-time" ? "2030-01-01T00:00:00.000Z" : "sample";
    case "boolean":
      return true;
    case "number":
    case "integer":
      return 1;
    case "array":
      return [sampleValue((s.items as Schema | undefined) ?? { type: "string" })];
    case "object":
      return { sample: "value" };
    default:
      return "sample";
  }
}
