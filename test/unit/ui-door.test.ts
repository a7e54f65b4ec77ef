// The installer page's cost when nobody has it open (no bus listener, no timer, no session), and the
// session rules (expiry, key change) on an injected clock. The browser side is test/ui/.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configSchema, type HubConfig } from "../../agent/config/schema.js";
import { cookieValue, CSRF_HEADER, sameOrigin, SESSION_COOKIE, UiSessions } from "../../agent/doors/ui-sessions.js";
import { Hub } from "../../agent/hub.js";
import { createLogger } from "../../agent/log.js";
import { FakeDriver } from "../support/fake-driver.js";
import { sleep, waitFor } from "../support/ports.js";

const KEY = "k".repeat(32);

describe("installer page on an idle hub", () => {
  let hub: Hub;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "lb-ui-"));
    const parsed = configSchema.parse({ data_dir: dir, local_api: { listen: "127.0.0.1:0", api_key: KEY } });
    const config: HubConfig = { ...parsed, hub_id: randomUUID(), workspace_id: randomUUID(), connected_account_id: randomUUID(), local_api: { listen: "127.0.0.1:0", api_key: KEY }, configPath: "" };
    hub = new Hub(config, { logger: createLogger({ level: "silent" }), drivers: async () => [new FakeDriver([{ name: "Front", slots: 4 }])] });
    await hub.start();
    await waitFor(() => hub.store.locks().length === 1 && hub.store.locks()[0]!.slotsSynced, "lock synced");
  });
  afterEach(async () => {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const listeners = () => (hub.bus as unknown as { listeners: Set<unknown> }).listeners.size;
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

  it("holds a bus listener and a timer only while a live stream is open, and nothing after logout", async () => {
    await sleep(300);
    const [l0, t0] = [listeners(), timers()];
    expect(hub.ui.status()).toEqual({ sessions: 0, live_streams: 0 });
    const base = `http://127.0.0.1:${hub.http.address!.port}`;
    // Static files and a failed login leave nothing either.
    await (await fetch(`${base}/ui/`)).text();
    expect((await fetch(`${base}/ui/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ api_key: "wrong" }) })).status).toBe(401);
    expect([listeners(), timers(), hub.ui.status().sessions]).toEqual([l0, t0, 0]);

    const login = await fetch(`${base}/ui/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ api_key: KEY }) });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const csrf = ((await login.json()) as { csrf_token: string }).csrf_token;
    const ac = new AbortController();
    const stream = await fetch(`${base}/ui/events`, { headers: { cookie }, signal: ac.signal });
    const reader = stream.body!.getReader();
    await reader.read();
    expect(hub.ui.status()).toEqual({ sessions: 1, live_streams: 1 });
    expect(listeners()).toBe(l0 + 1);
    expect(timers()).toBe(t0 + 1);
    // A change while open: coalesced and sent, and its timer gone afterwards.
    const deviceId = hub.store.locks()[0]!.deviceId;
    const made = await fetch(`${base}/access_codes/create`, { method: "POST", headers: { "content-type": "application/json", cookie, [CSRF_HEADER]: csrf }, body: JSON.stringify({ device_id: deviceId, code: "4821" }) });
    expect(made.status).toBe(200);
    let text = "";
    while (!text.includes("event: change")) text += new TextDecoder().decode((await reader.read()).value);
    await waitFor(() => timers() === t0 + 1, "coalescing timer cleared");

    ac.abort();
    await waitFor(() => hub.ui.status().live_streams === 0, "stream closed");
    expect([listeners(), timers()]).toEqual([l0, t0]);
    await fetch(`${base}/ui/session`, { method: "DELETE", headers: { cookie, [CSRF_HEADER]: csrf } });
    expect(hub.ui.status()).toEqual({ sessions: 0, live_streams: 0 });
  });
});

describe("installer page sessions", () => {
  const req = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;
  const withCookie = (id: string, csrf?: string, extra: Record<string, string> = {}) => req({ cookie: `other=1; ${SESSION_COOKIE}=${id}`, host: "hub:8787", ...(csrf ? { [CSRF_HEADER]: csrf } : {}), ...extra });

  it("ends a session idle too long or too old, without a timer", () => {
    let now = 0;
    const s = new UiSessions(() => KEY, () => now, { idleMs: 1000, maxAgeMs: 5000, maxSessions: 4 });
    const made = s.create(KEY)!;
    now = 900;
    expect(s.authorizes(withCookie(made.id, made.session.csrf))).toBe(true);
    now = 1800; // 900 ms after its last use
    expect(s.authorizes(withCookie(made.id, made.session.csrf))).toBe(true);
    now = 2900; // idle 1100 ms
    expect(s.authorizes(withCookie(made.id, made.session.csrf))).toBe(false);
    expect(s.size).toBe(0);
    const old = s.create(KEY)!;
    for (now = 3000; now < 8000; now += 900) s.fromRequest(withCookie(old.id));
    expect(s.fromRequest(withCookie(old.id))).toBeNull();
  });

  it("outlives no API key change, refuses a wrong key, keeps at most maxSessions", () => {
    let key = KEY;
    const s = new UiSessions(() => key, () => 0, { idleMs: 1000, maxAgeMs: 5000, maxSessions: 2 });
    expect(s.create("nope")).toBeNull();
    const a = s.create(KEY)!;
    key = "r".repeat(32);
    expect(s.authorizes(withCookie(a.id, a.session.csrf))).toBe(false);
    expect(s.create(KEY)).toBeNull();
    const [b, c, d] = [s.create(key)!, s.create(key)!, s.create(key)!];
    expect(s.size).toBe(2);
    expect(s.fromRequest(withCookie(b.id))).toBeNull();
    expect(s.fromRequest(withCookie(c.id))).not.toBeNull();
    expect(s.fromRequest(withCookie(d.id))).not.toBeNull();
  });

  it("needs the session's own anti-CSRF token and the page's origin", () => {
    const s = new UiSessions(() => KEY, () => 0);
    const a = s.create(KEY)!;
    const b = s.create(KEY)!;
    expect(s.authorizes(withCookie(a.id))).toBe(false);
    expect(s.authorizes(withCookie(a.id, b.session.csrf))).toBe(false);
    expect(s.authorizes(withCookie(a.id, a.session.csrf, { origin: "http://hub:8787" }))).toBe(true);
    expect(s.authorizes(withCookie(a.id, a.session.csrf, { origin: "http://hub:8788" }))).toBe(false);
    expect(s.authorizes(withCookie(a.id, a.session.csrf, { "sec-fetch-site": "same-site" }))).toBe(false);
    expect(sameOrigin(req({ host: "hub:8787", origin: "null" }))).toBe(false);
    expect(cookieValue("a=1; lockbridge_ui=xyz; b=2", SESSION_COOKIE)).toBe("xyz");
  });
});
