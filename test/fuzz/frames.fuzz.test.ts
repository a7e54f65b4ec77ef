// Hostile input at the doors. Cloud frames go to CloudSession.receive in-process (frames it sends are
// captured); HTTP goes over real sockets to the local API: malformed requests, wrong methods, hostile
// headers, query strings and bodies, malformed JSON, oversized bodies, slow and half-open clients.
// Every case gets an `error` frame / a 4xx in Seam's error shape (or the answer of a valid request),
// the hub stays up, and nothing changes unless the case was a valid mutation.
import net from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpDoor } from "../../agent/doors/http.js";
import { CloudSession, MAX_FRAME_BYTES } from "../../agent/doors/session.js";
import { createLogger } from "../../agent/log.js";
import { expectErrorBody, FIELDS, isMutation, fuzzSeed, hostile, paramsFor, pathArb, resolve, restore, runs, settle, snapshot, startFuzzHub, type FuzzHub } from "./support.js";

let f: FuzzHub;
beforeAll(async () => {
  f = await startFuzzHub();
});
afterAll(async () => {
  await f?.stop();
});

const fcOptions = (numRuns: number) => ({ numRuns, ...(fuzzSeed !== undefined ? { seed: fuzzSeed } : {}) });

/** After a valid mutation: let it finish, restore the fixture, and return the new baseline. */
async function rebaseline(): Promise<string> {
  await settle(f.hub);
  await restore(f);
  return settle(f.hub);
}

describe("cloud frames under hostile input (CloudSession.receive)", () => {
  it(`answers ${runs(0.32)} hostile frames with error frames or 4xx responses and no state change`, async () => {
    const sent: Array<Record<string, any>> = [];
    const session = new CloudSession(
      {
        router: f.hub.router,
        store: f.hub.store,
        bus: f.hub.bus,
        shaper: f.hub.shaper,
        hello: { hubId: f.hub.config.hub_id, workspaceId: f.hub.config.workspace_id, agentVersion: "fuzz" },
        logger: createLogger({ level: "silent" }),
        door: "cloud",
      },
      (frame) => sent.push(JSON.parse(JSON.stringify(frame)) as Record<string, any>),
    );
    session.open();
    expect(sent.map((x) => x.type).slice(0, 2)).toEqual(["hello", "state"]);
    const paths = f.hub.router.paths();
    const objectFrame = pathArb(paths).chain((path) => {
      const fields = {
        type: fc.oneof({ weight: 10, arbitrary: fc.constant("request") }, { weight: 2, arbitrary: fc.constant("ack") }, { weight: 1, arbitrary: fc.constantFrom("hello", "state", "response", "event", "error", "REQUEST", "") }, { weight: 1, arbitrary: hostile }),
        id: fc.oneof({ weight: 10, arbitrary: fc.uuid() }, { weight: 1, arbitrary: hostile }, { weight: 1, arbitrary: fc.constant("r".repeat(201)) }),
        path: fc.oneof({ weight: 6, arbitrary: fc.constant(path) }, { weight: 1, arbitrary: hostile }),
        body: paramsFor(paths.includes(path) ? path : "/access_codes/create"),
        event_ids: fc.oneof(fc.array(fc.oneof(fc.uuid(), fc.string({ maxLength: 10 })), { maxLength: 4 }), hostile),
      };
      // Mostly complete frames; some with fields missing.
      return fc.oneof({ weight: 5, arbitrary: fc.record(fields, { requiredKeys: ["type", "id", "path", "body", "event_ids"] }) }, { weight: 1, arbitrary: fc.record(fields, { requiredKeys: ["type"] }) });
    });
    const big = JSON.stringify({ type: "request", id: "big", path: "/access_codes/list", body: { device_id: "$device", pad: "x".repeat(MAX_FRAME_BYTES) } });
    const frameText = fc.oneof(
      { weight: 8, arbitrary: objectFrame.map((o) => JSON.stringify(o)) },
      { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null") },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          big,
          "\u0000binary",
          "[".repeat(100_000),
          `{"a":${"[".repeat(2000)}${"]".repeat(2000)}}`,
          '{"type":"request"',
          '\ufeff{"type":"ack","event_ids":[]}',
          '{"type":"request","id":"t1","path":"/devices/list","body":{}} trailing',
          '{"type":"ack","type":"request","id":"dup-key","path":"/hub/status"}',
          '{"type":{"toString":false}}',
          '{"type":{"toString":{}},"id":"x"}',
          '{"type":"request","id":"n1","path":"/access_codes/list","body":{"limit":1e999999}}',
          '{"type":"request","id":"n2","path":"/access_codes/list","body":{"limit":123456789012345678901234567890}}',
          '{"type":"request","id":"p1","path":"/access_codes/create","body":{"__proto__":{"device_id":"$device"},"code":"1357"}}',
          "",
        ),
      },
    );
    const stats = { cases: 0, errors: 0, responses4xx: 0, ok: 0, acks: 0, validMutations: 0, errorFrames: {} as Record<string, number> };
    let baseline = snapshot(f.hub);
    await fc.assert(
      fc.asyncProperty(frameText, async (raw) => {
        stats.cases++;
        const text = raw.replaceAll('"$device"', JSON.stringify(f.ids.device));
        let parsed: unknown;
        try {
          parsed = resolve(JSON.parse(text), f.ids);
        } catch {
          parsed = undefined;
        }
        const input = parsed !== undefined && Buffer.byteLength(text) <= MAX_FRAME_BYTES && !text.startsWith("\ufeff") ? JSON.stringify(parsed) : text;
        const before = snapshot(f.hub);
        expect(before, "state changed between cases").toBe(baseline);
        sent.length = 0;
        await session.receive(input);
        const replies = sent.filter((x) => x.type !== "state" && x.type !== "event");
        const context = input.slice(0, 300);
        const frame = parsed as Record<string, unknown> | undefined;
        const wellFormedAck = frame?.type === "ack" && Array.isArray(frame.event_ids) && frame.event_ids.every((e) => typeof e === "string") && Buffer.byteLength(input) <= MAX_FRAME_BYTES;
        if (wellFormedAck) {
          stats.acks++;
          expect(replies, context).toEqual([]);
        } else {
          expect(replies, context).toHaveLength(1);
          const reply = replies[0]!;
          if (reply.type === "error") {
            stats.errors++;
            const why = String(reply.error.message).replace(/".*$/, "").slice(0, 40);
            stats.errorFrames[why] = (stats.errorFrames[why] ?? 0) + 1;
            expect(reply.error.type, context).toBe("invalid_input");
            expect(typeof reply.error.message, context).toBe("string");
          } else {
            expect(reply.type, context).toBe("response");
            expect(reply.id, context).toBe(frame?.id);
            if (reply.status === 200) {
              stats.ok++;
              if (isMutation(frame?.path as string)) {
                stats.validMutations++;
                baseline = await rebaseline();
                return;
              }
            } else {
              stats.responses4xx++;
              expectErrorBody(reply.status, reply.body, context);
            }
          }
        }
        expect(snapshot(f.hub), `state changed by ${context}`).toBe(before);
      }),
      fcOptions(runs(0.32)),
    );
    session.close();
    console.log(`frames fuzz ${JSON.stringify(stats)}`);
  }, 60_000 + runs(0.32) * 20);
});

// --- HTTP over real sockets

interface RawResult {
  raw: Buffer;
  closed: boolean;
  ms: number;
}

/** Sends bytes on a fresh connection; collects everything until the server closes it (or `waitMs` passes). */
function rawExchange(port: number, chunks: Array<string | Buffer>, opts: { waitMs?: number; halfClose?: boolean; gapMs?: number } = {}): Promise<RawResult> {
  return new Promise((resolvePromise) => {
    const t0 = Date.now();
    const sock = net.connect(port, "127.0.0.1");
    const got: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolvePromise({ raw: Buffer.concat(got), closed, ms: Date.now() - t0 });
    };
    const timer = setTimeout(() => finish(false), opts.waitMs ?? 10_000);
    sock.on("data", (d) => got.push(d));
    sock.on("close", () => finish(true));
    sock.on("error", () => finish(true));
    sock.on("connect", async () => {
      for (const c of chunks) {
        if (done) return;
        sock.write(c);
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      if (opts.halfClose && !done) sock.end();
    });
  });
}

/** The first HTTP response in `raw`: status, headers and body (by content-length). */
function parseResponse(raw: Buffer): { status: number; headers: Record<string, string>; body: string } | null {
  const text = raw.toString("latin1");
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "");
  if (!m) return null;
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(":");
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const len = Number(headers["content-length"] ?? 0);
  const body = raw.subarray(Buffer.byteLength(text.slice(0, end + 4), "latin1")).subarray(0, len).toString("utf8");
  return { status: Number(m[1]), headers, body };
}

function request(method: string, target: string, headers: Array<[string, string]>, body: Buffer | null, framing: "length" | "chunked" | "none"): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close", ...headers.map(([k, v]) => `${k}: ${v}`)];
  if (body && framing === "length") lines.push(`Content-Length: ${body.length}`);
  if (body && framing === "chunked") lines.push("Transfer-Encoding: chunked");
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  if (!body || framing === "none") return head;
  if (framing === "length") return Buffer.concat([head, body]);
  const parts: Buffer[] = [head];
  for (let i = 0; i < body.length; i += 4096) {
    const c = body.subarray(i, i + 4096);
    parts.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from("0\r\n\r\n"));
  return Buffer.concat(parts);
}

const ALLOWED_HTTP = [200, 400, 401, 404, 405, 408, 413, 417, 431];

describe("local HTTP API under hostile input (real sockets)", () => {
  it(`answers ${runs(0.08)} hostile HTTP requests with 4xx JSON errors and no state change`, async () => {
    const port = f.hub.http.address!.port;
    const paths = f.hub.router.paths();
    const headerValue = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: "binary", maxLength: 20 }), fc.constantFrom("x".repeat(20_000), "\u0000", "a\r\nInjected: 1"));
    const caseArb = pathArb(paths).chain((path) =>
      fc.record({
        method: fc.oneof({ weight: 8, arbitrary: fc.constantFrom("POST", "GET", "PATCH", "PUT", "DELETE") }, { weight: 1, arbitrary: fc.constantFrom("HEAD", "OPTIONS", "TRACE", "get", "P0ST", "CONNECT", "BREW", "M-SEARCH") }),
        path: fc.constant(path),
        query: fc.option(fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 6 })), fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: "binary", maxLength: 12 }), fc.constantFrom("$device", "$code", "1e999", "-1", "true")), { maxKeys: 3 }), { nil: undefined }),
        rawQuery: fc.constantFrom(false, false, false, true),
        auth: fc.oneof({ weight: 8, arbitrary: fc.constant("valid") }, { weight: 1, arbitrary: fc.constantFrom("none", "wrong", "Bearer", "Basic Zm9vOmJhcg==", "bearer-lower", "extra") }),
        contentType: fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "", "multipart/form-data; boundary=x"),
        body: fc.oneof(
          { weight: 6, arbitrary: paramsFor(paths.includes(path) ? path : "/access_codes/create").map((p) => ({ json: p })) },
          { weight: 2, arbitrary: fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 40 })).map((s) => ({ text: s })) },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              "{",
              '{"device_id":',
              "1e999999",
              '{"limit":123456789012345678901234567890}',
              "\ufeff{}",
              "[".repeat(50_000),
              '{"device_id":"$device"} trailing',
              "null",
              "   ",
              '{"device_id":"\\ud800"}',
            ).map((s) => ({ text: s })),
          },
          { weight: 1, arbitrary: fc.constant({ none: true }) },
        ),
        framing: fc.constantFrom<"length" | "chunked" | "none">("length", "length", "length", "chunked", "none"),
        extraHeaders: fc.oneof(
          { weight: 3, arbitrary: fc.constant<Array<[string, string]>>([]) },
          { weight: 1, arbitrary: fc.array(fc.tuple(fc.oneof(fc.constantFrom("X-Test", "Transfer-Encoding", "Expect", "Authorization", "Host"), fc.string({ maxLength: 8 })), headerValue), { minLength: 1, maxLength: 2 }) },
        ),
      }),
    );
    const stats = { cases: 0, ok: 0, errors: 0, noBody: 0, validMutations: 0, byStatus: {} as Record<number, number> };
    let baseline = snapshot(f.hub);
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        stats.cases++;
        const query = c.query ? Object.entries(resolve(c.query, f.ids) as Record<string, string>).map(([k, v]) => (c.rawQuery ? `${k}=${v}` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)) : [];
        const target = `${c.path.startsWith("/") ? c.path : `/${c.path}`}${query.length ? `?${query.join("&")}` : ""}`;
        const key = f.apiKey;
        const auth: Record<string, string | null> = { valid: `Bearer ${key}`, none: null, wrong: "Bearer not-the-key", Bearer: "Bearer", "Basic Zm9vOmJhcg==": "Basic Zm9vOmJhcg==", "bearer-lower": `bearer ${key}`, extra: `Bearer ${key} extra` };
        const headers: Array<[string, string]> = [];
        if (auth[c.auth]) headers.push(["Authorization", auth[c.auth]!]);
        if (c.contentType) headers.push(["Content-Type", c.contentType]);
        for (const [k, v] of c.extraHeaders) headers.push([k, v]);
        const bodyText = "json" in c.body ? JSON.stringify(resolve(c.body.json, f.ids)) : "text" in c.body ? c.body.text.replaceAll("$device", f.ids.device) : null;
        const body = bodyText === null ? null : Buffer.from(bodyText, "utf8");
        const before = snapshot(f.hub);
        expect(before, "state changed between cases").toBe(baseline);
        const bytes = request(c.method, target, headers, body, c.framing);
        const res = await rawExchange(port, [bytes], { waitMs: 8000 });
        const context = bytes.toString("latin1").slice(0, 400);
        expect(res.closed, `no answer and no close within 8 s: ${context}`).toBe(true);
        const parsed = parseResponse(res.raw);
        // CONNECT is a tunnel request: Node closes such connections without an answer when nobody handles them.
        if (c.method === "CONNECT" && parsed === null) return void expect(snapshot(f.hub)).toBe(before);
        expect(parsed, `unparseable answer ${JSON.stringify(res.raw.toString("latin1").slice(0, 200))} to ${context}`).not.toBeNull();
        const { status } = parsed!;
        stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
        expect(ALLOWED_HTTP, `status ${status} ${parsed!.body.slice(0, 200)} for ${context}`).toContain(status);
        if (c.method === "HEAD") {
          stats.noBody++;
        } else {
          let json: unknown;
          try {
            json = JSON.parse(parsed!.body);
          } catch {
            json = undefined;
          }
          expect(json, `body is not JSON (${parsed!.body.slice(0, 200)}) for ${context}`).toBeDefined();
          if (status === 200) {
            stats.ok++;
            expect((json as { ok?: unknown }).ok).toBe(true);
            if (isMutation(c.path)) {
              stats.validMutations++;
              baseline = await rebaseline();
              return;
            }
          } else {
            stats.errors++;
            expectErrorBody(status, json, context);
          }
        }
        if (status !== 200 || !isMutation(c.path)) expect(snapshot(f.hub), `state changed by ${context}`).toBe(before);
        else baseline = await rebaseline();
      }),
      fcOptions(runs(0.08)),
    );
    console.log(`http fuzz ${JSON.stringify(stats)}`);
  }, 60_000 + runs(0.08) * 100);

  it("the simulated keypad refuses a code it cannot type (seed 1610130855: GET keypad_set_code with code |&&), and nothing changes", async () => {
    const port = f.hub.http.address!.port;
    const before = snapshot(f.hub);
    const slots = f.driver.physicalSlots(f.driver.fakes[0]!.identity.radioId);
    for (const code of ["|&&", "12", "123456789", "12a4"]) {
      const target = `/hub/simulate/keypad_set_code?device_id=${f.ids.device}&slot=1&code=${encodeURIComponent(code)}`;
      const res = parseResponse((await rawExchange(port, [request("GET", target, [["Authorization", `Bearer ${f.apiKey}`]], null, "none")])).raw)!;
      expect(res.status, code).toBe(400);
      const body = JSON.parse(res.body) as { ok: boolean; error: { type: string; validation_errors: Record<string, { _errors: string[] }> } };
      expect(body.ok).toBe(false);
      expect(body.error.type).toBe("invalid_input");
      expect(body.error.validation_errors.code?._errors[0], code).toMatch(/simulated keypad cannot type/);
    }
    expect(f.driver.physicalSlots(f.driver.fakes[0]!.identity.radioId)).toEqual(slots);
    expect(snapshot(f.hub)).toBe(before);
  });

  it("a valid call of each state-changing simulation path is a mutation: answered 200, then the fixture (faults included) comes back", async () => {
    const radioId = f.driver.fakes[0]!.identity.radioId;
    const simPaths = f.hub.router.paths().filter((p) => p.includes("/simulate/"));
    const valid: Record<string, Record<string, unknown>> = {
      "/hub/simulate/keypad_set_code": { slot: 3, code: "6174" },
      "/hub/simulate/keypad_clear_code": { slot: 8 },
      "/hub/simulate/keypad_unlock": { code: "4821" },
      "/hub/simulate/lock_faults": { unresponsive: true, rejects_codes: true, masked_readback: true, jammed: true },
      "/locks/simulate/keypad_code_entry": { code: "4821" },
      "/locks/simulate/manual_lock_via_keypad": {},
      "/hub/simulate/thumb_turn": { locked: false },
      "/hub/simulate/door": { open: true },
      "/hub/simulate/tamper": {},
      "/hub/simulate/battery": { level: 50 },
      "/access_codes/simulate/create_unmanaged_access_code": { code: "7285", name: "Keypad" },
      "/devices/simulate/disconnect": {},
      "/devices/simulate/connect": {},
      "/devices/simulate/remove": {},
      // A factory-new lock, and the fixture lock's pairing button pressed with no window open: nothing of the hub changes.
      "/hub/simulate/new_lock": { protocol: "zwave", name: "Spare" },
      "/hub/simulate/press_button": {},
    };
    const fixture = () => ({ codes: f.hub.store.codes().filter((c) => !c.isBackup).map((c) => [c.code, c.status]).sort(), unmanaged: f.hub.store.unmanaged().map((u) => [u.slot, u.code]), online: f.hub.store.lock(f.ids.device)!.online });
    const expected = fixture();
    for (const p of simPaths.filter(isMutation)) {
      expect(valid[p], `a valid body for ${p} in this test`).toBeDefined();
      const res = await f.hub.router.handle({ path: p, params: { device_id: f.ids.device, ...valid[p] }, door: "http" });
      expect(res.status, `${p}: ${JSON.stringify(res.body)}`).toBe(200);
      await rebaseline();
      expect(fixture(), `after ${p}`).toEqual(expected);
      expect(f.driver.fakes[0]!.faults, `faults after ${p}`).toEqual({ unresponsive: false, rejects_codes: false, masked_readback: false, jammed: false });
      expect(f.driver.physicalDoor(radioId), `bolt and door after ${p}`).toMatchObject({ locked: true, doorOpen: false });
      expect(f.driver.physicalSlots(radioId).filter((s) => s.code !== null).length, `slots after ${p}`).toBeGreaterThanOrEqual(2);
    }
  }, 60_000);

  it("refuses bodies over 1 MiB with 413, declared or chunked, and keeps serving", async () => {
    const port = f.hub.http.address!.port;
    const auth: Array<[string, string]> = [["Authorization", `Bearer ${f.apiKey}`], ["Content-Type", "application/json"]];
    const before = snapshot(f.hub);
    // Declared too large: answered at once, without waiting for the body.
    const declared = Buffer.from(`POST /access_codes/create HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${f.apiKey}\r\nContent-Length: ${2 * MAX_FRAME_BYTES}\r\n\r\n`);
    const a = await rawExchange(port, [declared], { waitMs: 5000 });
    const ra = parseResponse(a.raw);
    expect(ra?.status).toBe(413);
    expectErrorBody(413, JSON.parse(ra!.body), "declared");
    // Streamed without a length.
    const huge = Buffer.from(JSON.stringify({ device_id: f.ids.device, name: "x".repeat(MAX_FRAME_BYTES + 10) }));
    const b = await rawExchange(port, [request("POST", "/access_codes/create", auth, huge, "chunked")], { waitMs: 10_000 });
    const rb = parseResponse(b.raw);
    expect(rb?.status).toBe(413);
    expectErrorBody(413, JSON.parse(rb!.body), "chunked");
    expect(JSON.parse(rb!.body).error.type).toBe("invalid_input");
    expect(snapshot(f.hub)).toBe(before);
    const ok = parseResponse((await rawExchange(port, [request("GET", "/hub/status", auth, null, "none")])).raw);
    expect(ok?.status).toBe(200);
  });
});

describe("slow and half-open clients", () => {
  let door: HttpDoor;
  let port: number;
  const HEADERS_MS = 600;
  const REQUEST_MS = 1500;
  beforeAll(async () => {
    door = new HttpDoor({ listen: "127.0.0.1:0", apiKey: f.apiKey, timeouts: { headersMs: HEADERS_MS, requestMs: REQUEST_MS } }, f.hub.router, createLogger({ level: "silent" }));
    await door.start();
    port = door.address!.port;
  });
  afterAll(async () => {
    await door?.stop();
  });

  it("production keeps its limits: 10 s for the headers, 30 s for a request", () => {
    expect(f.hub.http.limits).toEqual({ headersMs: 10_000, requestMs: 30_000 });
  });

  it("cuts off a client that connects and sends nothing", async () => {
    const r = await rawExchange(port, [], { waitMs: 10_000 });
    expect(r.closed).toBe(true);
    expect(r.ms).toBeLessThan(HEADERS_MS + 2000);
  });

  it("cuts off a client that trickles headers and never finishes them, with a 408 JSON error", async () => {
    const trickle = ["POST /devices/list HTTP/1.1\r\n", "Host: x\r\n", ...Array.from({ length: 60 }, (_, i) => `X-Slow-${i}: y\r\n`)];
    const r = await rawExchange(port, trickle, { waitMs: 10_000, gapMs: 100 });
    expect(r.closed).toBe(true);
    expect(r.ms).toBeLessThan(HEADERS_MS + 2000);
    const res = parseResponse(r.raw);
    if (res) {
      expect(res.status).toBe(408);
      expectErrorBody(408, JSON.parse(res.body), "trickled headers");
    }
  });

  it("cuts off a client that never finishes its body, with a 408 JSON error", async () => {
    const head = `POST /access_codes/create HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${f.apiKey}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"device_id":`;
    const before = snapshot(f.hub);
    const r = await rawExchange(port, [head], { waitMs: 10_000 });
    expect(r.closed).toBe(true);
    expect(r.ms).toBeGreaterThanOrEqual(REQUEST_MS - 100);
    expect(r.ms).toBeLessThan(REQUEST_MS + 2000);
    const res = parseResponse(r.raw);
    expect(res?.status).toBe(408);
    expectErrorBody(408, JSON.parse(res!.body), "unfinished body");
    expect(snapshot(f.hub)).toBe(before);
  });

  it("answers a complete request whose client half-closed; closes an incomplete one", async () => {
    const full = `POST /hub/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${f.apiKey}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`;
    const r = await rawExchange(port, [full], { halfClose: true, waitMs: 5000 });
    expect(parseResponse(r.raw)?.status).toBe(200);
    const partial = await rawExchange(port, ["POST /hub/status HTTP/1.1\r\nHost: x\r\nContent-Le"], { halfClose: true, waitMs: 5000 });
    expect(partial.closed).toBe(true);
    expect(partial.ms).toBeLessThan(HEADERS_MS + 2000);
  });

  it("keeps serving others while 50 slow clients hang on", async () => {
    const sockets = Array.from({ length: 50 }, () => net.connect(port, "127.0.0.1").on("error", () => undefined));
    for (const s of sockets) s.write("POST /devices/list HTTP/1.1\r\nHost: x\r\n");
    const t0 = Date.now();
    const r = await rawExchange(port, [request("GET", "/devices/list", [["Authorization", `Bearer ${f.apiKey}`]], null, "none")], { waitMs: 5000 });
    expect(parseResponse(r.raw)?.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    for (const s of sockets) s.destroy();
  });
});
