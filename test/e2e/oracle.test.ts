// The pinned OpenAPI (@seamapi/types 1.885.0) as the oracle, against the hub process with one simulated
// Z-Wave and one simulated Zigbee lock: every path the hub serves in Seam's namespace is called with valid
// input on both (test/e2e/oracle-cases.ts), each 200 body is validated against
// openapi.paths[path].post.responses["200"] and each object against its zod schema; a served path without a
// case fails; every parameter the OpenAPI defines for a served path is implemented (a case passes it) or
// refused with a 400 naming it; errors are checked for ok:false, type, message and validation_errors.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { schemas } from "@seamapi/types/connect";
import type { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRefused } from "../../agent/api/params.js";
import type { Router } from "../../agent/api/router.js";
import { configSchema } from "../../agent/config/schema.js";
import { Hub } from "../../agent/hub.js";
import { createLogger } from "../../agent/log.js";
import { HubProcess, projectRoot } from "../support/hub-process.js";
import { inSeamNamespace, openapiParams, responseProblems, sampleValue, seamOpenapiPaths } from "../support/openapi.js";
import { PinLedger } from "../support/pins.js";
import { waitFor } from "../support/ports.js";
import { CASES, type Body, type OracleCase, type OracleContext } from "./oracle-cases.js";

const RADIOS = [
  { radio: "zwave", name: "Oracle Z-Wave door" },
  { radio: "zigbee", name: "Oracle Zigbee door" },
] as const;

const pins = new PinLedger();
let hub: HubProcess;
let router: Router;
let routerHub: Hub;
let routerDir: string;
const devices = new Map<string, Body>();
/** Parameters each path was called with in a case that answered 200 (for the parameter coverage test). */
const exercised = new Map<string, Set<string>>();
/** The first case's parameters per path, on the Z-Wave lock (a valid base to add a refused parameter to). */
const baseParams = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  hub = new HubProcess({ locks: RADIOS.map((r) => ({ protocol: r.radio, name: r.name, slots: 30 })), timing: { program_ahead_ms: 1000 } });
  await hub.start();
  for (const [name, d] of await hub.devices()) devices.set(name, d);
  // The route table as the hub builds it (in-process, never started): what is served, with which schemas.
  routerDir = mkdtempSync(path.join(tmpdir(), "lb-oracle-routes-"));
  const parsed = configSchema.parse({ data_dir: routerDir, local_api: { listen: "127.0.0.1:0", api_key: "k".repeat(32) } });
  routerHub = new Hub({ ...parsed, hub_id: randomUUID(), workspace_id: randomUUID(), connected_account_id: randomUUID(), local_api: { listen: "127.0.0.1:0", api_key: "k".repeat(32) }, configPath: "" }, { logger: createLogger({ level: "silent" }), drivers: async () => [] });
  router = routerHub.router;
}, 120_000);

afterAll(async () => {
  await routerHub?.stop().catch(() => undefined);
  if (routerDir) rmSync(routerDir, { recursive: true, force: true });
  const logs = hub?.logs ?? "";
  await hub?.cleanup();
  expect(pins.leaked(logs), "PINs in the hub's logs").toEqual([]);
});

const served = () => router.paths().filter(inSeamNamespace);

let n = 0;
function pin(length = 6): string {
  for (;;) {
    n++;
    const digits = String((n * 7919 + 104729) % 10 ** length).padStart(length, "3");
    if (!/^(.)\1*$/.test(digits) && !"0123456789".includes(digits) && !"9876543210".includes(digits)) return pins.use(digits);
  }
}

function context(radio: "zwave" | "zigbee", name: string): OracleContext {
  const device = devices.get(name)!;
  const ctx: OracleContext = {
    radio,
    deviceId: device.device_id as string,
    lockName: name,
    connectedAccountId: device.connected_account_id as string,
    async call(p, params) {
      const res = await hub.post(p, params);
      // Any call a case makes that answers 200 counts as exercising its parameters.
      if (res.status === 200) {
        const used = exercised.get(p) ?? new Set<string>();
        for (const k of Object.keys(params)) used.add(k);
        exercised.set(p, used);
      }
      return res;
    },
    pin,
    at: (ms) => new Date(Date.now() + ms).toISOString(),
    until: (fn, what, ms = 20_000) => waitFor(fn, what, ms, 100),
    async setCode(extra = {}) {
      const r = await hub.post("/access_codes/create", { device_id: ctx.deviceId, code: pin(), name: "Oracle fixture", ...extra });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const id = r.body.access_code.access_code_id as string;
      return ctx.until(async () => {
        const g = (await hub.post("/access_codes/get", { access_code_id: id })).body.access_code as Body | undefined;
        return g?.status === "set" ? g : null;
      }, `code ${id} set`);
    },
    async unmanagedCode() {
      const r = await hub.post("/access_codes/simulate/create_unmanaged_access_code", { device_id: ctx.deviceId, name: "Keypad fixture", code: pin() });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const id = r.body.access_code.access_code_id as string;
      return ctx.until(async () => (await hub.post("/access_codes/unmanaged/get", { access_code_id: id })).body.access_code as Body | undefined, `unmanaged ${id} seen`);
    },
  };
  return ctx;
}

/** Each object in a 200 body against its zod schema, by the key it sits under. */
function zodProblems(p: string, body: Body): string[] {
  const unmanagedPath = p.startsWith("/access_codes/unmanaged/") || p.startsWith("/access_codes/simulate/");
  const kindOf: Record<string, keyof typeof schemas> = {
    access_code: unmanagedPath ? "unmanaged_access_code" : "access_code",
    access_codes: unmanagedPath ? "unmanaged_access_code" : "access_code",
    backup_access_code: "access_code",
    generated_code: "access_code",
    device: "device",
    devices: "device",
    lock: "device",
    locks: "device",
    action_attempt: "action_attempt",
    action_attempts: "action_attempt",
    event: "seam_event",
    events: "seam_event",
  };
  const out: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    const kind = kindOf[key];
    if (!kind) continue;
    for (const [i, obj] of (Array.isArray(value) ? value : [value]).entries()) {
      const r = (schemas[kind] as z.ZodTypeAny).safeParse(obj);
      if (!r.success) out.push(`${key}[${i}] (${kind}): ${r.error.issues.slice(0, 4).map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`);
    }
  }
  return out;
}

/** A served path's zod object shape (the route's params, unwrapped from refinements). */
function routeShape(p: string): Record<string, z.ZodTypeAny> {
  let s = router.route(p)!.params as z.ZodTypeAny;
  while (s._def.typeName === "ZodEffects") s = s._def.schema as z.ZodTypeAny;
  return (s as z.AnyZodObject).shape as Record<string, z.ZodTypeAny>;
}

function expectError(res: { status: number; body: Body }, status: number, type: string, context: string): void {
  expect(res.status, `${context}: ${JSON.stringify(res.body)}`).toBe(status);
  expect(res.body.ok, context).toBe(false);
  expect(res.body.error?.type, context).toBe(type);
  expect(typeof res.body.error?.message === "string" && res.body.error.message.length > 0, context).toBe(true);
  if (type === "invalid_input") expect(res.body.error.validation_errors?._errors, `${context}: validation_errors`).toBeInstanceOf(Array);
}

describe("the OpenAPI oracle", () => {
  it("has a case for every path the hub serves in Seam's namespace, and none for a path it does not serve", () => {
    const covered = new Set(CASES.map((c) => c.path));
    expect(served().filter((p) => !covered.has(p)), "served paths without a case in test/e2e/oracle-cases.ts").toEqual([]);
    expect([...covered].filter((p) => !served().includes(p)), "cases for paths the hub does not serve").toEqual([]);
  });

  it("docs/api.md's table lists every path of Seam's groups in the OpenAPI, served exactly as the router serves them", () => {
    const doc = readFileSync(path.join(projectRoot(), "docs/api.md"), "utf8");
    const rows = [...doc.matchAll(/^\| (\/[a-z_/]+) \| (yes|no) \|/gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(rows.map(([p]) => p).sort()).toEqual(seamOpenapiPaths());
    expect(rows.filter(([, s]) => s === "yes").map(([p]) => p).sort()).toEqual(served());
  });

  for (const { radio, name } of RADIOS) {
    describe(`on the ${radio} lock`, () => {
      const ordered: OracleCase[] = [...CASES.filter((c) => !c.destructive), ...CASES.filter((c) => c.destructive)];
      for (const c of ordered) {
        it(`${c.path}: ${c.what}`, async () => {
          const ctx = context(radio, name);
          const params = await c.params(ctx);
          let res = await ctx.call(c.path, params);
          for (let i = 0; c.retryWhile?.(res) && i < 150; i++) {
            await new Promise((r) => setTimeout(r, 200));
            res = await ctx.call(c.path, params);
          }
          expect(res.status, `${c.path} ${JSON.stringify(params)} -> ${JSON.stringify(res.body).slice(0, 600)}`).toBe(200);
          expect(res.body.ok).toBe(true);
          expect(responseProblems(c.path, res.body), `${c.path}: the body must match the OpenAPI's 200 schema`).toBeNull();
          expect(zodProblems(c.path, res.body), `${c.path}: objects must parse with their zod schemas`).toEqual([]);
          if (radio === "zwave" && !baseParams.has(c.path)) baseParams.set(c.path, params);
          await c.check?.(res.body, ctx, params);
        }, 90_000);
      }
    });
  }

  it("every OpenAPI parameter of a served path is in its schema: implemented (a case passes it) or refused with a 400 naming it", async () => {
    const problems: string[] = [];
    const refusedSeen: string[] = [];
    for (const p of served()) {
      const shape = routeShape(p);
      for (const param of openapiParams(p)) {
        const schema = shape[param.name];
        if (!schema) {
          problems.push(`${p} ${param.name}: defined by the OpenAPI, absent from the route's schema (it would be silently ignored)`);
          continue;
        }
        if (isRefused(schema)) {
          const res = await hub.post(p, { ...(baseParams.get(p) ?? {}), [param.name]: sampleValue(param.schema) });
          const messages = (res.body.error?.validation_errors?.[param.name]?._errors ?? []) as string[];
          if (res.status !== 400 || res.body.error?.type !== "invalid_input" || !messages.length || !String(res.body.error.message).includes(param.name)) {
            problems.push(`${p} ${param.name}: refused, but answered ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          }
          refusedSeen.push(`${p} ${param.name}`);
        } else if (!exercised.get(p)?.has(param.name)) {
          problems.push(`${p} ${param.name}: implemented, but no case in oracle-cases.ts passes it`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(refusedSeen.length).toBeGreaterThan(10);
  }, 120_000);

  it("errors: ok:false, a type and a message; invalid_input names the fields in validation_errors", async () => {
    for (const p of served()) {
      const required = openapiParams(p).filter((x) => x.required);
      const empty = await hub.post(p, {});
      if (required.length) {
        expectError(empty, 400, "invalid_input", `${p} {}`);
        const fields = Object.keys(empty.body.error.validation_errors).filter((k) => k !== "_errors");
        expect(fields.length, `${p}: validation_errors must name a field`).toBeGreaterThan(0);
        for (const f of fields) expect(openapiParams(p).map((x) => x.name), `${p}: ${f} is not a parameter of this path`).toContain(f);
        expect(fields.some((f) => required.some((r) => r.name === f)), `${p}: a required parameter is named`).toBe(true);
      }
    }
    const zwave = devices.get(RADIOS[0].name)!.device_id as string;
    const short = await hub.post("/access_codes/create", { device_id: zwave, code: "12" });
    expectError(short, 400, "invalid_input", "short code");
    expect(short.body.error.validation_errors.code._errors[0]).toMatch(/code must be 4 to 8/);
    const window = await hub.post("/access_codes/create", { device_id: zwave, starts_at: new Date(Date.now() + 86_400_000).toISOString() });
    expectError(window, 400, "invalid_input", "starts_at without ends_at");
    expect(window.body.error.validation_errors.ends_at._errors.length).toBe(1);
    const cursor = await hub.post("/access_codes/list", { device_id: zwave, page_cursor: "bm90LWEtY3Vyc29y" });
    expectError(cursor, 400, "invalid_input", "foreign cursor");
    expect(Object.keys(cursor.body.error.validation_errors)).toContain("page_cursor");
    expectError(await hub.post("/access_codes/get", { access_code_id: randomUUID() }), 404, "access_code_not_found", "unknown code");
    expectError(await hub.post("/devices/get", { device_id: randomUUID() }), 404, "device_not_found", "unknown device");
    expectError(await hub.post("/action_attempts/get", { action_attempt_id: randomUUID() }), 404, "action_attempt_not_found", "unknown attempt");
    expectError(await hub.post("/events/get", { event_id: randomUUID() }), 404, "event_not_found", "unknown event");
    expectError(await hub.post("/events/list", {}), 400, "invalid_input", "events without since or between");
    expectError(await hub.post("/no/such/path", {}), 404, "not_found", "unknown path");
    expectError(await hub.post("/access_codes/list", {}, "wrong-key"), 401, "unauthorized", "wrong key");
  }, 120_000);
});
