// The MQTT door end to end: the real hub process (`npm run agent`, simulated Z-Wave locks on zwave-js)
// against its own Mosquitto (password file, no anonymous access), with an mqtt.js client as the cloud.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema, type HubConfig } from "../../agent/config/schema.js";
import { MqttDoor } from "../../agent/doors/mqtt.js";
import { Hub } from "../../agent/hub.js";
import { createLogger } from "../../agent/log.js";
import { FakeDriver } from "../support/fake-driver.js";
import { HubProcess } from "../support/hub-process.js";
import { haveMosquitto, Mosquitto, MqttCloud } from "../support/mosquitto.js";
import { PinLedger } from "../support/pins.js";
import { sleep, waitFor } from "../support/ports.js";
import { expectSeam } from "../support/seam.js";
import { TestCloud } from "../support/test-cloud.js";

if (!haveMosquitto()) throw new Error("mosquitto is not installed (apt-get install -y mosquitto; .ci/run does it)");

const pins = new PinLedger();
const hubPassword = `hub-pw-${randomUUID()}`;
const cloudPassword = `cloud-pw-${randomUUID()}`;
const wrongPassword = `wrong-pw-${randomUUID()}`;

let broker: Mosquitto;
let cloud: MqttCloud;
let hub: HubProcess;
let front: string;
const others: HubProcess[] = [];
/** An in-process hub (fake driver) whose MQTT door has a short redelivery delay. */
const coreHubId = randomUUID();

const mqttBlock = (h: HubProcess, password = hubPassword) => ({ mqtt: { url: broker.url, username: h.hubId, password } });
const hubStatus = async (h: HubProcess) => (await h.post("/hub/status", {})).body.hub as Record<string, any>;
const exited = (h: HubProcess) => h.proc !== null && (h.proc.exitCode !== null || h.proc.signalCode !== null);

beforeAll(async () => {
  hub = new HubProcess({ locks: [{ protocol: "zwave", name: "Front door", slots: 20, code_lengths: [4, 5, 6, 7, 8], checksum: true }] });
  const both = new HubProcess({ locks: [] });
  const refused = new HubProcess({ locks: [] });
  others.push(both, refused);
  // Per-hub credentials, as a fleet would have them: the user name is the hub id.
  broker = await new Mosquitto({
    users: [
      { username: hub.hubId, password: hubPassword },
      { username: both.hubId, password: hubPassword },
      { username: refused.hubId, password: hubPassword },
      { username: "cloud", password: cloudPassword },
      { username: "observer", password: cloudPassword },
      { username: coreHubId, password: hubPassword },
    ],
    // docs/mqtt.md's ACL: each hub only on its own topics, the cloud on every hub's.
    acl: [
      "pattern read lockbridge/%u/down",
      "pattern write lockbridge/%u/up",
      "pattern write lockbridge/%u/status",
      "user cloud",
      "topic read lockbridge/+/up",
      "topic read lockbridge/+/status",
      "topic write lockbridge/+/down",
      "user observer",
      "topic read lockbridge/+/status",
    ],
  }).start();
  cloud = await new MqttCloud({ url: broker.url, username: "cloud", password: cloudPassword }).connect();
  hub.opts.extra = mqttBlock(hub);
  await hub.start();
  front = (await hub.devices()).get("Front door")!.device_id;
});

afterAll(async () => {
  await Promise.all([hub, ...others].map((h) => h?.cleanup()));
  await cloud?.close();
  await broker?.cleanup();
});

describe("MQTT door against Mosquitto", () => {
  it("on connect: retained online, hello, full state; requests answered through the router; events Seam-valid and acked", async () => {
    await waitFor(() => cloud.status.get(hub.hubId) === "online", "retained online");
    const hello = await cloud.waitFrame((f, id) => id === hub.hubId && f.type === "hello", "hello");
    expect(hello).toMatchObject({ hub_id: hub.hubId, workspace_id: hub.workspaceId, protocol_version: 1 });
    const firstFrames = cloud.frames.filter((x) => x.hubId === hub.hubId).map((x) => x.frame.type);
    expect(firstFrames.slice(0, 2)).toEqual(["hello", "state"]);
    expect(JSON.stringify(hello)).not.toContain(hubPassword);

    const list = await cloud.request(hub.hubId, "/devices/list", {});
    expect(list.status).toBe(200);
    expect((list.body.devices as Array<{ device_id: string }>).map((d) => d.device_id)).toContain(front);

    const created = await cloud.request(hub.hubId, "/access_codes/create", { device_id: front, name: "Guest", code: pins.use("482913") });
    expect(created.status).toBe(200);
    expectSeam("access_code", created.body.access_code);
    const id = created.body.access_code.access_code_id as string;
    await cloud.waitEvent(hub.hubId, "access_code.set_on_device", (e) => e.access_code_id === id);
    const mine = cloud.hubEvents(hub.hubId).filter((e) => e.access_code_id === id);
    expect(mine.map((e) => e.event_type)).toEqual(["access_code.created", "access_code.set_on_device"]);
    for (const e of cloud.hubEvents(hub.hubId)) expectSeam("seam_event", e);
    // State deltas follow the change.
    await cloud.waitFrame((f, h) => h === hub.hubId && f.type === "state" && JSON.stringify(f.access_codes).includes(`"status":"set"`) && JSON.stringify(f.access_codes).includes(id), "state delta with the set code");

    const missing = await cloud.request(hub.hubId, "/no/such/path", {});
    expect(missing.status).toBe(404);
    const n = cloud.frames.length;
    cloud.publishRaw(hub.hubId, "{not json");
    const err = await cloud.waitFrame((f, h) => h === hub.hubId && f.type === "error", "error frame", 5000, n);
    expect((err.error as { type: string }).type).toBe("invalid_input");

    await waitFor(async () => (await hubStatus(hub)).pending_events === 0, "every event acked");
    expect((await hubStatus(hub)).mqtt).toMatchObject({ state: "connected", connects: 1 });
  });

  it("a QoS 1 redelivery of a request (same id) returns the recorded response and runs once", async () => {
    const body = { device_id: front, name: "Once", code: pins.use("55119") };
    const id = `req-${randomUUID()}`;
    const both = Promise.all([cloud.response(id), cloud.response(id)]);
    cloud.publishRaw(hub.hubId, JSON.stringify({ type: "request", id, path: "/access_codes/create", body }));
    cloud.publishRaw(hub.hubId, JSON.stringify({ type: "request", id, path: "/access_codes/create", body }));
    const [a, b] = await both;
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
    const codes = await hub.http.accessCodes.list({ device_id: front });
    expect(codes.filter((c) => c.name === "Once")).toHaveLength(1);
  });

  it("kill -9: the broker publishes the retained offline will; requests sent meanwhile run once after the hub is back", async () => {
    hub.kill9();
    await waitFor(() => exited(hub), "hub process gone");
    await waitFor(() => cloud.status.get(hub.hubId) === "offline", "last will", 15_000);
    // Retained: a client that subscribes now still learns the hub is offline.
    const late = await new MqttCloud({ url: broker.url, username: "observer", password: cloudPassword, statusOnly: true }).connect();
    try {
      await waitFor(() => late.status.get(hub.hubId) === "offline", "retained offline for a new subscriber", 5000);
    } finally {
      await late.close();
    }

    const id = `while-down-${randomUUID()}`;
    const body = { device_id: front, name: "Queued", code: pins.use("730519") };
    const responses = Promise.all([cloud.response(id, 40_000), cloud.response(id, 40_000)]);
    // The cloud retried (or the broker redelivers): the same id twice, queued in the hub's persistent session.
    cloud.publishRaw(hub.hubId, JSON.stringify({ type: "request", id, path: "/access_codes/create", body }));
    cloud.publishRaw(hub.hubId, JSON.stringify({ type: "request", id, path: "/access_codes/create", body }));
    await sleep(200);

    await hub.start();
    const [a, b] = await responses;
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
    await waitFor(() => cloud.status.get(hub.hubId) === "online", "online again");
    const codes = await hub.http.accessCodes.list({ device_id: front });
    expect(codes.filter((c) => c.name === "Queued")).toHaveLength(1);
    await cloud.waitEvent(hub.hubId, "access_code.set_on_device", (e) => e.access_code_id === a.body.access_code.access_code_id, 30_000);
  });

  it("broker restarted mid-stream: the local API keeps working and every event arrives, in order, and is acked", async () => {
    await waitFor(async () => (await hubStatus(hub)).pending_events === 0, "outbox drained before");
    const connectsBefore = (await hubStatus(hub)).mqtt.connects as number;
    const since = new Date().toISOString();
    await sleep(5);
    const codes = ["61830", "72941", "83052", "94163", "15274", "26385"].map((c) => pins.use(c));
    const ids: string[] = [];
    for (const [i, code] of codes.entries()) {
      if (i === 2) {
        await broker.stop();
        await waitFor(async () => (await hubStatus(hub)).mqtt.state !== "connected", "hub sees the broker gone");
      }
      // Through the local API: it does not need the broker.
      ids.push((await hub.http.accessCodes.create({ device_id: front, name: `Stream ${i}`, code })).access_code_id);
      if (i === 4) {
        // The codes made while the broker is away reach their lock; their events wait in the outbox.
        for (const id of ids.slice(2)) await waitFor(async () => (await hub.http.accessCodes.get({ access_code_id: id })).status === "set", `code ${id} set offline`);
        const away = await hubStatus(hub);
        expect(away.mqtt.state).toBe("disconnected");
        expect(away.pending_events).toBeGreaterThanOrEqual(6);
        await broker.start();
      }
    }
    await waitFor(async () => (await hubStatus(hub)).mqtt.state === "connected", "hub back on the broker", 40_000);
    expect((await hubStatus(hub)).mqtt.connects).toBe(connectsBefore + 1);
    for (const id of ids) await waitFor(async () => (await hub.http.accessCodes.get({ access_code_id: id })).status === "set", `code ${id} set`);
    const expected = ((await hub.post("/events/list", { since, limit: 10_000 })).body.events as Array<{ event_id: string }>).map((e) => e.event_id);
    expect(expected.length).toBeGreaterThanOrEqual(codes.length * 2);
    await waitFor(async () => {
      const seen = new Set(cloud.hubEvents(hub.hubId).map((e) => e.event_id));
      return expected.every((e) => seen.has(e)) && (await hubStatus(hub)).pending_events === 0;
    }, "all events delivered and acked", 40_000);
    const wanted = new Set(expected);
    const order = cloud.hubEvents(hub.hubId).filter((e) => wanted.has(e.event_id)).map((e) => e.event_id);
    expect(order).toEqual(expected);
    for (const e of cloud.hubEvents(hub.hubId)) expectSeam("seam_event", e);
  });

  it("a wrong password: one clear log line, a slow retry, the password never logged, the local API unaffected", async () => {
    const refused = others[1]!;
    refused.opts.extra = mqttBlock(refused, wrongPassword);
    await refused.start();
    await waitFor(() => /MQTT broker refused the hub's credentials \(CONNACK 13[45] /.test(refused.logs), "refusal logged", 15_000);
    await sleep(2000);
    const lines = refused.logs.split("\n").filter((l) => l.includes("refused the hub's credentials"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/retrying in 5 minutes/);
    expect(refused.logs).not.toContain(wrongPassword);
    expect(refused.logs).not.toContain(hubPassword);
    const status = await hubStatus(refused);
    expect(status.mqtt.state).toBe("auth_failed");
    expect((await refused.post("/devices/list", {})).status).toBe(200);
    await refused.stop();
  });

  it("both doors configured: a request id sent on both runs once; each link gets the events", async () => {
    const ws = await new TestCloud().listen();
    const both = others[0]!;
    both.opts.cloud = { url: ws.url, token: ws.token };
    both.opts.locks.push({ protocol: "zwave", name: "Back door", slots: 10 });
    both.opts.extra = mqttBlock(both);
    try {
      await both.start();
      const back = (await both.devices()).get("Back door")!.device_id;
      await waitFor(() => ws.connected, "WebSocket link");
      await cloud.waitFrame((f, h) => h === both.hubId && f.type === "hello", "MQTT hello");
      // Hold acks on both sides so each link shows every event.
      ws.autoAck = false;
      cloud.autoAck = false;
      const id = `dual-${randomUUID()}`;
      const body = { device_id: back, name: "Dual", code: pins.use("40286") };
      const viaMqtt = cloud.request(both.hubId, "/access_codes/create", body, id);
      const viaWs = ws.request("/access_codes/create", body, id);
      const [m, w] = await Promise.all([viaMqtt, viaWs]);
      expect(m.status).toBe(200);
      expect(w.body).toEqual(m.body);
      const codes = await both.http.accessCodes.list({ device_id: back });
      expect(codes.filter((c) => c.name === "Dual")).toHaveLength(1);
      const acId = m.body.access_code.access_code_id as string;
      const wsEvent = await ws.waitEvent("access_code.created", (e) => e.access_code_id === acId);
      const mqttEvent = await cloud.waitEvent(both.hubId, "access_code.created", (e) => e.access_code_id === acId);
      expect(mqttEvent.event_id).toBe(wsEvent.event_id);
      cloud.autoAck = true;
      ws.autoAck = true;
      cloud.publishRaw(both.hubId, JSON.stringify({ type: "ack", event_ids: [mqttEvent.event_id] }));
      const s = await hubStatus(both);
      expect(s.cloud.state).toBe("connected");
      expect(s.mqtt.state).toBe("connected");
      // A clean stop says offline itself (no last will needed).
      const stopped = await both.stop();
      expect(stopped.graceful).toBe(true);
      await waitFor(() => cloud.status.get(both.hubId) === "offline", "offline on clean stop", 5000);
    } finally {
      cloud.autoAck = true;
      await ws.close();
    }
  });

  it("events the broker accepted but no cloud acked are sent again, in order, until acked (in-process hub)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "lb-mqtt-core-"));
    const parsed = configSchema.parse({ data_dir: dir, local_api: { listen: "127.0.0.1:0", api_key: "k".repeat(32) } });
    const config: HubConfig = { ...parsed, hub_id: coreHubId, workspace_id: randomUUID(), connected_account_id: randomUUID(), local_api: { listen: "127.0.0.1:0", api_key: "k".repeat(32) }, configPath: "" };
    const logger = createLogger({ level: "silent" });
    const core = new Hub(config, { logger, drivers: async () => [new FakeDriver([{ name: "Front", slots: 4 }])] });
    await core.start();
    const door = new MqttDoor(
      { url: broker.url, username: coreHubId, password: hubPassword, topicPrefix: "lockbridge", redeliverAfterMs: 400 },
      { router: core.router, store: core.store, bus: core.bus, shaper: core.shaper, hello: { hubId: coreHubId, workspaceId: config.workspace_id, agentVersion: "test" }, logger, door: "mqtt" },
    );
    cloud.autoAck = false;
    try {
      door.start();
      await waitFor(() => door.state === "connected", "in-process door connected");
      await waitFor(() => core.store.locks().length === 1, "lock");
      const device = core.store.locks()[0]!.deviceId;
      const r = await cloud.request(coreHubId, "/access_codes/create", { device_id: device, name: "Redeliver", code: pins.use("91375") });
      expect(r.status).toBe(200);
      const acId = r.body.access_code.access_code_id as string;
      await cloud.waitEvent(coreHubId, "access_code.set_on_device", (e) => e.access_code_id === acId);
      const ids = core.store.unackedEvents(0, 100).map((e) => e.eventId);
      expect(ids.length).toBeGreaterThanOrEqual(2);
      // Nothing acked: the door starts the session over (hello, state, the unacked events in order).
      await waitFor(() => ids.every((id) => (cloud.deliveries.get(id) ?? 0) >= 2), "unacked events sent again", 10_000);
      const mine = cloud.frames.filter((x) => x.hubId === coreHubId).map((x) => x.frame);
      const secondHello = mine.findIndex((f, i) => f.type === "hello" && i > 0);
      expect(secondHello).toBeGreaterThan(0);
      const replayed = mine.slice(secondHello).filter((f) => f.type === "event").map((f) => (f.event as { event_id: string }).event_id);
      expect(replayed.slice(0, ids.length)).toEqual(ids);
      cloud.publishRaw(coreHubId, JSON.stringify({ type: "ack", event_ids: ids }));
      await waitFor(() => core.store.unackedCount() === 0, "acked");
      const hellos = () => cloud.frames.filter((x) => x.hubId === coreHubId && x.frame.type === "hello").length;
      const settled = hellos();
      await sleep(1500);
      expect(hellos()).toBe(settled);
    } finally {
      cloud.autoAck = true;
      await door.stop();
      await core.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("no PIN and no broker password in any hub's logs", () => {
    const logs = [hub, ...others].map((h) => h.logs).join("\n");
    expect(pins.leaked(logs)).toEqual([]);
    for (const p of [hubPassword, cloudPassword, wrongPassword]) expect(logs).not.toContain(p);
  });
});
