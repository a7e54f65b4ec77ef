// The installer page's HTTP side against the hub process: headers and caching of the files, the
// login and its cookie, what the session may and may not do (CSRF, other origins, logout), the live
// channel, and that nothing of it is left on the hub once the page is gone.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HubProcess, projectRoot } from "../support/hub-process.js";
import { PinLedger } from "../support/pins.js";
import { waitFor } from "../support/ports.js";

let hub: HubProcess;
let base: string;
let deviceId: string;

beforeAll(async () => {
  hub = await new HubProcess({ locks: [{ protocol: "zwave", name: "Front", slots: 10 }] }).start();
  base = `http://127.0.0.1:${hub.port}`;
  deviceId = [...(await hub.devices()).values()][0]!.device_id as string;
}, 120_000);
afterAll(async () => {
  const logs = hub.logs;
  await hub.cleanup();
  expect(logs).not.toContain(hub.apiKey);
});

const sameOrigin = () => ({ origin: base, "sec-fetch-site": "same-origin" });

async function logIn(): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const r = await fetch(`${base}/ui/session`, { method: "POST", headers: { "content-type": "application/json", ...sameOrigin() }, body: JSON.stringify({ api_key: hub.apiKey }) });
  expect(r.status).toBe(200);
  const setCookie = r.headers.get("set-cookie")!;
  return { cookie: setCookie.split(";")[0]!, csrf: ((await r.json()) as { csrf_token: string }).csrf_token, setCookie };
}

const asPage = (s: { cookie: string; csrf: string }, p: string, body: unknown = {}, extra: Record<string, string> = {}) =>
  fetch(`${base}${p}`, { method: "POST", headers: { "content-type": "application/json", cookie: s.cookie, "x-lockbridge-csrf": s.csrf, ...sameOrigin(), ...extra }, body: JSON.stringify(body) });

const uiStatus = async () => (await hub.post("/hub/status", {})).body.hub.ui as { sessions: number; live_streams: number };

describe("installer page: files", () => {
  it("serves the index uncached and hashed assets immutable and gzipped, all under a strict CSP", async () => {
    const index = await fetch(`${base}/ui/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("cache-control")).toBe("no-store");
    const csp = index.headers.get("content-security-policy")!;
    for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "require-trusted-types-for 'script'"]) expect(csp).toContain(d);
    expect(index.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await index.text();
    expect(html).not.toMatch(/<script>|<style>| style=| on[a-z]+=/i);
    expect(html).not.toContain(hub.hubId);
    const assets = [...html.matchAll(/\/ui\/assets\/([a-z]+-([0-9a-f]{12})\.(js|css|svg))/g)];
    expect(assets.map((a) => a[3]).sort()).toEqual(["css", "js", "svg"]);
    for (const [url, file, digest] of assets) {
      const r = await fetch(`${base}${url}`, { headers: { "accept-encoding": "gzip" } });
      expect(r.status).toBe(200);
      expect(r.headers.get("cache-control")).toContain("immutable");
      // fetch decodes gzip itself; the bytes on disk must hash to the name.
      const onDisk = readFileSync(path.join(projectRoot(), "dist", "ui", "assets", file!));
      expect(createHash("sha256").update(onDisk).digest("hex").slice(0, 12)).toBe(digest);
      expect(Buffer.from(await r.arrayBuffer()).equals(onDisk)).toBe(true);
      expect(gunzipSync(readFileSync(path.join(projectRoot(), "dist", "ui", "assets", `${file}.gz`))).equals(onDisk)).toBe(true);
    }
    expect((await fetch(`${base}/ui/assets/..%2Findex.html`)).status).toBe(404);
    expect((await fetch(`${base}/ui/assets/.%2E%2F.%2E%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${base}/ui/assets/nope-000000000000.js`)).status).toBe(404);
  });
});

describe("installer page: session", () => {
  it("logs in only with the key in a same-origin JSON body, never from a URL; the cookie is HttpOnly and SameSite=Strict", async () => {
    const post = (body: unknown, headers: Record<string, string> = {}, q = "") => fetch(`${base}/ui/session${q}`, { method: "POST", headers: { "content-type": "application/json", ...sameOrigin(), ...headers }, body: JSON.stringify(body) });
    const wrong = await post({ api_key: "seam_wrong" });
    expect(wrong.status).toBe(401);
    // The page's errors have the API's one shape.
    expect(await wrong.json()).toEqual({ ok: false, error: { type: "unauthorized", message: "the API key is not valid for this hub" } });
    const fromUrl = await post({}, {}, `?api_key=${hub.apiKey}`);
    expect(fromUrl.status).toBe(400);
    expect(await fromUrl.json()).toMatchObject({ ok: false, error: { type: "invalid_input", validation_errors: { _errors: [expect.stringContaining("api_key")] } } });
    expect((await post({ api_key: hub.apiKey }, { origin: "http://evil.example", "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post({ api_key: hub.apiKey }, { origin: `http://127.0.0.1:${hub.port + 1}`, "sec-fetch-site": "same-site" })).status).toBe(403);
    const form = await fetch(`${base}/ui/session`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...sameOrigin() }, body: `api_key=${hub.apiKey}` });
    expect(form.status).toBe(400);
    const s = await logIn();
    expect(s.setCookie).toMatch(/HttpOnly/);
    expect(s.setCookie).toMatch(/SameSite=Strict/);
    expect(s.setCookie).toMatch(/Path=\//);
    expect(s.setCookie).not.toContain(hub.apiKey);
    expect(s.csrf).not.toContain(hub.apiKey);
    const again = await fetch(`${base}/ui/session`, { headers: { cookie: s.cookie, ...sameOrigin() } });
    expect(((await again.json()) as { csrf_token: string }).csrf_token).toBe(s.csrf);
  });

  it("lets the session use the router exactly as the key does, only with its anti-CSRF token and from the page's origin", async () => {
    const s = await logIn();
    const ok = await asPage(s, "/devices/list");
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { devices: unknown[] }).devices).toHaveLength(1);
    const noToken = await fetch(`${base}/devices/list`, { method: "POST", headers: { "content-type": "application/json", cookie: s.cookie, ...sameOrigin() }, body: "{}" });
    expect(noToken.status).toBe(401);
    expect((await asPage({ ...s, csrf: "x".repeat(43) }, "/devices/list")).status).toBe(401);
    expect((await asPage(s, "/devices/list", {}, { origin: "http://evil.example", "sec-fetch-site": "cross-site" })).status).toBe(401);
    expect((await asPage(s, "/devices/list", {}, { "sec-fetch-site": "same-site", origin: `http://localhost:${hub.port}` })).status).toBe(401);
    // A wrong bearer key is not rescued by a cookie.
    expect((await asPage(s, "/devices/list", {}, { authorization: "Bearer seam_wrong" })).status).toBe(401);
    // A GET with side effects (the SDK's query-string form) from another site gets nothing either.
    const get = await fetch(`${base}/access_codes/create?device_id=${deviceId}&code=5829`, { headers: { cookie: s.cookie, "sec-fetch-site": "cross-site" } });
    expect(get.status).toBe(401);
    // What the session can change is what the key can: a create goes through the same router and rules.
    const bad = await asPage(s, "/access_codes/create", { device_id: deviceId, code: "" });
    expect(bad.status).toBe(400);
    const made = await asPage(s, "/access_codes/create", { device_id: deviceId, name: "From page", code: "5829" });
    expect(made.status).toBe(200);
    const id = ((await made.json()) as { access_code: { access_code_id: string } }).access_code.access_code_id;
    expect((await hub.post("/access_codes/get", { access_code_id: id })).body.access_code.name).toBe("From page");
    await hub.post("/access_codes/delete", { access_code_id: id });
  });

  it("serves the slot map through the router: which slot holds which code, no PIN", async () => {
    const pins = new PinLedger();
    const made = await hub.post("/access_codes/create", { device_id: deviceId, name: "Slotted", code: pins.use("6830") });
    const id = made.body.access_code.access_code_id as string;
    await waitFor(async () => (await hub.post("/access_codes/get", { access_code_id: id })).body.access_code.status === "set", "set", 30_000);
    const map = await hub.post("/hub/devices/slots", { device_id: deviceId });
    expect(map.status).toBe(200);
    expect(map.body.slot_count).toBe(10);
    expect(map.body.slots).toHaveLength(10);
    const held = (map.body.slots as Array<Record<string, unknown>>).filter((s) => s.holder === "managed");
    expect(held.map((s) => s.access_code_id)).toContain(id);
    expect(map.body.slots_used).toBe(held.length);
    expect(pins.leaked(JSON.stringify(map.body))).toEqual([]);
    expect((await hub.post("/hub/devices/slots", { device_id: "00000000-0000-4000-8000-000000000000" })).status).toBe(404);
    expect((await hub.post("/hub/devices/slots", {})).body.error.type).toBe("invalid_input");
    await hub.post("/access_codes/delete", { access_code_id: id });
  });

  it("streams change notices while open, and leaves nothing behind when closed or logged out", async () => {
    for (const s of [await uiStatus()]) expect(s.live_streams).toBe(0);
    expect((await fetch(`${base}/ui/events`)).status).toBe(401);
    const s = await logIn();
    const ac = new AbortController();
    const res = await fetch(`${base}/ui/events`, { headers: { cookie: s.cookie, ...sameOrigin() }, signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = "";
    const readUntil = async (re: RegExp) => {
      while (!re.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await readUntil(/event: ready/);
    expect((await uiStatus()).live_streams).toBe(1);
    const pins = new PinLedger();
    const made = await hub.post("/access_codes/create", { device_id: deviceId, name: "Streamed", code: pins.use("7391") });
    const id = made.body.access_code.access_code_id as string;
    await readUntil(new RegExp(`event: change\\ndata: .*${id}`));
    // Notices name what changed; the objects (and their PINs) are read through the router.
    // As a value of its own: four digits turn up inside random hex ids in a few percent of runs.
    expect(pins.leaked(text)).toEqual([]);
    expect(text).not.toContain("Streamed");
    ac.abort();
    await waitFor(async () => (await uiStatus()).live_streams === 0, "stream closed on the hub");
    const out = await fetch(`${base}/ui/session`, { method: "DELETE", headers: { cookie: s.cookie, "x-lockbridge-csrf": s.csrf, ...sameOrigin() } });
    expect(out.status).toBe(200);
    expect((await asPage(s, "/devices/list")).status).toBe(401);
    expect((await fetch(`${base}/ui/events`, { headers: { cookie: s.cookie, ...sameOrigin() } })).status).toBe(401);
    await hub.post("/access_codes/delete", { access_code_id: id });
  });
});
