// The OpenAPI oracle itself (test/support/openapi.ts): nullable handled as a type union, not dropped,
// so the tests built on it can fail for the reasons they should.
import { describe, expect, it } from "vitest";
import { openapiParams, responseProblems, seamOpenapiPaths, toJsonSchema } from "../support/openapi.js";

describe("OpenAPI oracle", () => {
  it("turns nullable into a type union (null allowed only where the document says so)", () => {
    expect(toJsonSchema({ type: "string", nullable: true })).toEqual({ type: ["string", "null"] });
    expect(toJsonSchema({ type: "string", enum: ["a"], nullable: true })).toEqual({ type: ["string", "null"], enum: ["a", null] });
    expect(toJsonSchema({ type: "object", properties: { nullable: { type: "boolean" } } })).toEqual({ type: "object", properties: { nullable: { type: "boolean" } } });
    expect(toJsonSchema({ $ref: "#/components/schemas/device" })).toEqual({ $ref: "seam-openapi#/components/schemas/device" });
    expect(toJsonSchema({ oneOf: [{ type: "string" }], nullable: true })).toEqual({ anyOf: [{ type: "null" }, { oneOf: [{ type: "string" }] }] });
  });

  it("validates bodies: pagination's nullable cursor, not its required flag; a missing key; a wrong type", () => {
    const page = { has_next_page: false, next_page_cursor: null, next_page_url: null };
    expect(responseProblems("/action_attempts/list", { ok: true, action_attempts: [], pagination: page })).toBeNull();
    expect(responseProblems("/action_attempts/list", { ok: true, action_attempts: [], pagination: { ...page, has_next_page: null } })).toMatch(/has_next_page/);
    expect(responseProblems("/action_attempts/list", { ok: true, action_attempts: [] })).toMatch(/pagination/);
    expect(responseProblems("/access_codes/unmanaged/list", { ok: true, unmanaged_access_codes: [], pagination: page })).toMatch(/access_codes/);
    const attempt = { action_attempt_id: "6ba7b810-9dad-41d1-80b4-00c04fd430c8", action_type: "DELETE_ACCESS_CODE", status: "success", result: {}, error: null };
    expect(responseProblems("/action_attempts/get", { ok: true, action_attempt: attempt })).toBeNull();
    expect(responseProblems("/action_attempts/get", { ok: true, action_attempt: { ...attempt, action_attempt_id: "not-a-uuid" } })).not.toBeNull();
  });

  it("lists the 43 paths of Seam's groups and their parameters", () => {
    expect(seamOpenapiPaths()).toHaveLength(43);
    expect(openapiParams("/access_codes/list").map((p) => p.name)).toContain("search");
    expect(openapiParams("/access_codes/create").find((p) => p.name === "device_id")?.required).toBe(true);
  });
});
