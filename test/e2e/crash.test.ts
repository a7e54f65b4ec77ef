// Crash safety: a workload of creates, updates and deletes over the cloud WebSocket door (with request
// ids) and the local HTTP door runs while the real hub process is killed with SIGKILL at random
// moments. After every restart: acknowledged requests are reflected, repeated request ids return the
// recorded response, unacked events are re-delivered, no code is on a lock twice, the database is
// intact; at the end the locks converge. LOCKBRIDGE_SOAK_KILLS sets the number of kills (CI 30).
import Database from "better-sqlite3";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HubProcess } from "../support/hub-process.js";
import { sleep, waitFor } from "../support/ports.js";
import { TestCloud, type Frame, type SeamEvent } from "../support/test-cloud.js";

const KILLS = Number(process.env.LOCKBRIDGE_SOAK_KILLS ?? 30);
const SEED = Number(process.env.LOCKBRIDGE_CRASH_SEED ?? Date.now() % 2 ** 31);
const SLOTS = 10;
/** Live codes a worker keeps per lock at most (deleted ones still hold a slot until cleared). */
const MAX_LIVE = 7;

/** mulberry32: the workload's choices are reproducible from the seed (kill timing is not). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(SEED);
const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

type Res = { status: number; body: Record<string, any> };

interface ModelCode {
  id: string;
  deviceId: string;
  name: string;
  code: string;
  deleted: boolean;
}

/** What the test knows the hub must hold: only acknowledged requests (and HTTP creates found after a crash). */
const model = new Map<string, ModelCode>();
/** Acknowledged cloud requests, with the response the hub first gave, for replays. */
const ackedCloud: Array<{ id: string; path: string; body: unknown; res: Res }> = [];
/** HTTP creates whose response was lost in a kill and that were not found afterwards: must never appear. */
const lostCreates = new Set<string>();
const usedCodes = new Set<string>();
const reusable: string[] = [];
const failures: string[] = [];
/** Code value -> every name that held it, for diagnosing a stray code. */
const history = new Map<string | undefined, string[]>();
const reportedUnmanaged = new Set<string>();
const killTimes: string[] = [];
const remember = (code: string, name: string) => history.set(code, [...(history.get(code) ?? []), name]);
let nameSeq = 0;

let cloud: TestCloud;
let hub: HubProcess;
let devices: string[] = [];
let finished = false;

function fail(msg: string): void {
  if (failures.length < 50) failures.push(msg);
}

function freshCode(): string {
  for (;;) {
    const c = String(between(100000, 999999));
    if (!usedCodes.has(c)) {
      usedCodes.add(c);
      return c;
    }
  }
}

/** A request over the cloud door, retried with the same id across kills until the hub answers it. */
async function cloudCall(p: string, body: unknown, id: string = `req-${nameSeq++}-${Math.floor(rand() * 1e9)}`, deadlineMs = 180_000): Promise<Res> {
  const t0 = Date.now();
  let scan = cloud.frames.length;
  const found = (): Frame | undefined => {
    for (; scan < cloud.frames.length; scan++) {
      const f = cloud.frames[scan]!;
      if (f.type === "response" && f.id === id) return f;
    }
    return undefined;
  };
  for (;;) {
    if (Date.now() - t0 > deadlineMs) throw new Error(`no response to ${p} (${id}) in ${deadlineMs} ms`);
    const early = found();
    if (early) return { status: early.status as number, body: early.body as Record<string, any> };
    if (!cloud.connected) {
      await sleep(20);
      continue;
    }
    const conn = cloud.connections;
    try {
      cloud.sendRaw(JSON.stringify({ type: "request", id, path: p, body }));
    } catch {
      continue;
    }
    for (;;) {
      const f = found();
      if (f) return { status: f.status as number, body: f.body as Record<string, any> };
      if (!cloud.connected || cloud.connections !== conn || Date.now() - t0 > deadlineMs) break;
      await sleep(15);
    }
  }
}

/** One HTTP attempt: a response, or null when the hub was not there to answer (killed, restarting). */
async function httpOnce(p: string, body: unknown): Promise<Res | null> {
  try {
    return await hub.post(p, body);
  } catch {
    return null;
  }
}

async function hubUp(): Promise<void> {
  await waitFor(async () => (await httpOnce("/hub/status", {}))?.status === 200, "hub up", 180_000, 50);
}

/** Pauses workers between kills so the checks see a quiescent model. */
class Gate {
  private paused = false;
  private resume: (() => void) | null = null;
  private resumed: Promise<void> = Promise.resolve();
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.resumed = new Promise((r) => (this.resume = r));
  }
  open(): void {
    this.paused = false;
    this.resume?.();
  }
  async pass(): Promise<void> {
    if (this.paused) await this.resumed;
  }
}

class Worker {
  busy = false;
  ops = { create: 0, update: 0, delete: 0, cloud: 0, http: 0, uncertain: 0 };
  private loop: Promise<void> | null = null;
  constructor(
    readonly deviceId: string,
    readonly gate: Gate,
  ) {}

  start(): void {
    this.loop = this.run();
  }
  async join(): Promise<void> {
    await this.loop;
  }
  /** Resolves once the worker finished its current operation (every request of it acknowledged). */
  async idle(): Promise<void> {
    await waitFor(() => !this.busy, "worker idle", 180_000, 10);
  }

  private async run(): Promise<void> {
    while (!finished) {
      await this.gate.pass();
      if (finished) break;
      this.busy = true;
      try {
        await this.step();
      } catch (e) {
        fail(`worker ${this.deviceId}: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        this.busy = false;
      }
      await sleep(between(0, 40));
    }
  }

  private live(): ModelCode[] {
    return [...model.values()].filter((c) => c.deviceId === this.deviceId && !c.deleted);
  }

  private async step(): Promise<void> {
    const live = this.live();
    const r = rand();
    const viaCloud = rand() < 0.7;
    if (live.length < 2 || (live.length < MAX_LIVE && r < 0.45)) return this.create(viaCloud);
    if (r < 0.75) return this.update(pick(live), viaCloud);
    return this.remove(pick(live), viaCloud);
  }

  private async create(viaCloud: boolean): Promise<void> {
    this.ops.create++;
    const name = `crash-${nameSeq++}`;
    // Mostly fresh values; sometimes one freed by an acknowledged delete (possibly still on the lock, being removed);
    // sometimes none (the hub picks one).
    const roll = rand();
    const code = roll < 0.1 && reusable.length ? reusable.splice(Math.floor(rand() * reusable.length), 1)[0]! : roll < 0.2 ? undefined : freshCode();
    const body = { device_id: this.deviceId, name, ...(code ? { code } : {}) };
    let res: Res;
    if (viaCloud) {
      this.ops.cloud++;
      const id = `create-${name}`;
      res = await cloudCall("/access_codes/create", body, id);
      if (res.status === 200) ackedCloud.push({ id, path: "/access_codes/create", body, res });
    } else {
      this.ops.http++;
      const got = await httpOnce("/access_codes/create", body);
      if (!got) {
        // The hub died with the request: it ran or it did not. Find out once the hub is back.
        this.ops.uncertain++;
        // The next kill may land between the hub coming up and the list: ask again until it is answered.
        let list: Res | null = null;
        while (!list) {
          await hubUp();
          list = await httpOnce("/access_codes/list", { device_id: this.deviceId });
        }
        if (list.status !== 200) throw new Error(`list after a lost create: ${list.status}`);
        const hit = (list.body.access_codes as Array<Record<string, any>>).filter((c) => c.name === name);
        if (hit.length > 1) fail(`HTTP create ${name} ran ${hit.length} times`);
        if (hit[0]) remember(hit[0].code, name);
        if (hit[0]) model.set(hit[0].access_code_id, { id: hit[0].access_code_id, deviceId: this.deviceId, name, code: hit[0].code, deleted: false });
        else lostCreates.add(name);
        return;
      }
      res = got;
    }
    if (res.status !== 200) return fail(`create ${name}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    const ac = res.body.access_code as Record<string, any>;
    if (code && ac.code !== code) fail(`create ${name}: code ${ac.code} != ${code}`);
    usedCodes.add(ac.code);
    remember(ac.code, name);
    model.set(ac.access_code_id, { id: ac.access_code_id, deviceId: this.deviceId, name, code: ac.code, deleted: false });
  }

  private async update(c: ModelCode, viaCloud: boolean): Promise<void> {
    this.ops.update++;
    const code = freshCode();
    const body = { access_code_id: c.id, code };
    const res = viaCloud ? await this.viaCloud("/access_codes/update", body) : await this.viaHttp("/access_codes/update", body);
    remember(code, `${c.name} (update, unacked)`);
    if (res.status !== 200) return fail(`update ${c.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    c.code = code;
  }

  private async remove(c: ModelCode, viaCloud: boolean): Promise<void> {
    this.ops.delete++;
    const body = { access_code_id: c.id };
    const res = viaCloud ? await this.viaCloud("/access_codes/delete", body) : await this.viaHttp("/access_codes/delete", body, true);
    if (res.status !== 200 && !(res.status === 404 && res.body.retried)) return fail(`delete ${c.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    c.deleted = true;
    reusable.push(c.code);
  }

  private async viaCloud(p: string, body: unknown): Promise<Res> {
    this.ops.cloud++;
    const id = `${p.split("/").pop()}-${nameSeq++}`;
    const res = await cloudCall(p, body, id);
    if (res.status === 200) ackedCloud.push({ id, path: p, body, res });
    return res;
  }

  /** Updates and deletes are idempotent: an HTTP attempt lost in a kill is simply retried. */
  private async viaHttp(p: string, body: unknown, deletion = false): Promise<Res> {
    this.ops.http++;
    let retried = false;
    for (;;) {
      const res = await httpOnce(p, body);
      if (res) {
        // A retried delete may find the code already gone: the first attempt ran before the kill.
        if (deletion && retried && res.status === 404) return { status: 404, body: { ...res.body, retried: true } };
        return res;
      }
      retried = true;
      this.ops.uncertain++;
      await sleep(50);
    }
  }
}

function integrityCheck(): string {
  const db = new Database(path.join(hub.dataDir, "lockbridge.db"), { readonly: true, fileMustExist: true });
  try {
    return String(db.pragma("integrity_check", { simple: true }));
  } finally {
    db.close();
  }
}

function outboxOrder(): Array<{ event_id: string; acked: boolean }> {
  const db = new Database(path.join(hub.dataDir, "lockbridge.db"), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT event_id, acked_at FROM events ORDER BY seq").all() as Array<{ event_id: string; acked_at: string | null }>).map((r) => ({ event_id: r.event_id, acked: r.acked_at !== null }));
  } finally {
    db.close();
  }
}

/** The stored row of a code (read-only, beside the running hub), for failure messages. */
function storedCode(id: string): unknown {
  const db = new Database(path.join(hub.dataDir, "lockbridge.db"), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT status, desired, slot, was_on_lock, gave_up FROM access_codes WHERE access_code_id = ?").get(id) as Record<string, unknown> | undefined;
    const slot = row && row.slot !== null ? db.prepare("SELECT code IS NOT NULL AS held, masked FROM slots WHERE device_id = (SELECT device_id FROM access_codes WHERE access_code_id = ?) AND slot = ?").get(id, row.slot) : undefined;
    return { ...row, observed: slot ?? null };
  } finally {
    db.close();
  }
}

async function listAll(): Promise<Array<Record<string, any>>> {
  const out: Array<Record<string, any>> = [];
  for (const d of devices) {
    const r = await hub.post("/access_codes/list", { device_id: d, limit: 10_000 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    out.push(...(r.body.access_codes as Array<Record<string, any>>));
  }
  return out;
}

async function physical(deviceId: string): Promise<Array<{ slot: number; code: string | null }>> {
  return waitFor(async () => {
    const r = await hub.post("/hub/simulate/lock_slots", { device_id: deviceId });
    return r.status === 200 ? (r.body.slots as Array<{ slot: number; code: string | null }>) : undefined;
  }, "lock_slots", 60_000, 50);
}

/** Acknowledged state is reflected; nothing ran twice; no code is on a lock twice. */
async function checkModel(label: string): Promise<void> {
  const listed = await listAll();
  const byId = new Map(listed.map((c) => [c.access_code_id as string, c]));
  const names = new Map<string, number>();
  for (const c of listed) names.set(c.name, (names.get(c.name) ?? 0) + 1);
  for (const [n, k] of names) if (k > 1) fail(`${label}: ${k} codes named ${n} (a create ran twice)`);
  for (const m of model.values()) {
    const got = byId.get(m.id);
    if (!m.deleted) {
      if (!got) fail(`${label}: acknowledged code ${m.name} (${m.id}) is missing`);
      else if (got.code !== m.code) fail(`${label}: code ${m.name} holds ${got.code}, acknowledged value ${m.code}`);
    } else if (got && got.status !== "removing") fail(`${label}: deleted code ${m.name} is ${got.status}; stored ${JSON.stringify(storedCode(m.id))}; events ${JSON.stringify(cloud.events.filter((x) => x.access_code_id === m.id).map((x) => x.event_type))}`);
  }
  for (const c of listed) {
    if (!model.has(c.access_code_id)) fail(`${label}: code ${c.name} (${c.access_code_id}) exists but no acknowledged or found request created it`);
    if (lostCreates.has(c.name)) fail(`${label}: ${c.name} appeared after its create was found not to have run`);
  }
  // No keypad touches these locks: an unmanaged code would be one of the hub's own writes it lost track of.
  for (const e of cloud.events) {
    if (e.event_type !== "access_code.unmanaged.created" || reportedUnmanaged.has(e.event_id)) continue;
    reportedUnmanaged.add(e.event_id);
    const u = (await hub.post("/access_codes/unmanaged/get", { access_code_id: e.access_code_id })).body.access_code as Record<string, any> | undefined;
    const owners = [...model.values()].filter((m) => m.code === u?.code || history.get(u?.code)?.includes(m.name));
    const lifecycle = owners.map((m) => cloud.events.filter((x) => x.access_code_id === m.id).map((x) => `${x.event_type}@${String(x.created_at)}`));
    fail(`${label}: unmanaged code appeared on ${String(e.device_id)}: ${JSON.stringify(u)}; value history: ${JSON.stringify(history.get(u?.code))}; model: ${JSON.stringify(owners)}; events: ${JSON.stringify(lifecycle)}; kills at ${JSON.stringify(killTimes.slice(-3))}`);
  }
  checkEventSequences(label);
  for (const d of devices) {
    const held = (await physical(d)).map((s) => s.code).filter((c): c is string => c !== null);
    const dup = held.filter((c, i) => held.indexOf(c) !== i);
    if (dup.length) fail(`${label}: lock ${d} holds ${dup.join(",")} twice`);
  }
}

/** A transition is emitted once: per code, one created, at most one deleted (last), no repeated set_on_device, no external change. */
const sequenceReported = new Set<string>();
function checkEventSequences(label: string): void {
  const perCode = new Map<string, SeamEvent[]>();
  const seen = new Set<string>();
  for (const e of cloud.events) {
    if (seen.has(e.event_id)) continue;
    seen.add(e.event_id);
    const ac = e.access_code_id as string | undefined;
    if (ac && model.has(ac)) perCode.set(ac, [...(perCode.get(ac) ?? []), e]);
  }
  for (const [id, events] of perCode) {
    if (sequenceReported.has(id)) continue;
    const types = events.map((e) => e.event_type);
    const count = (t: string) => types.filter((x) => x === `access_code.${t}`).length;
    const deletedAt = types.indexOf("access_code.deleted");
    const bad =
      types[0] !== "access_code.created" ||
      count("created") !== 1 ||
      count("deleted") > 1 ||
      (deletedAt >= 0 && deletedAt !== types.length - 1) ||
      count("removed_from_device") > 1 ||
      // Nobody touches the keypads: an "external" change would be one of the hub's own writes misread.
      count("modified_external_to_seam") > 0 ||
      count("deleted_external_to_seam") > 0 ||
      types.some((t, i) => t === "access_code.set_on_device" && types[i - 1] === t);
    if (bad) {
      sequenceReported.add(id);
      fail(`${label}: events of ${model.get(id)!.name} (${id}): ${events.map((e) => `${e.event_type.replace("access_code.", "")}@${String(e.created_at).slice(11)}`).join(" ")}; kills at ${killTimes.slice(-4).map((t) => t.slice(11)).join(" ")}`);
    }
  }
}

/** Re-send some acknowledged request ids: each must return the recorded response without running again. */
async function replays(label: string, recent: number): Promise<number> {
  if (!ackedCloud.length) return 0;
  const chosen = new Set(ackedCloud.slice(-recent));
  for (let i = 0; i < 2; i++) chosen.add(pick(ackedCloud));
  for (const a of chosen) {
    const res = await cloudCall(a.path, a.body, a.id, 30_000);
    if (res.status !== a.res.status || JSON.stringify(res.body) !== JSON.stringify(a.res.body)) {
      fail(`${label}: replay of ${a.id} answered ${res.status} ${JSON.stringify(res.body).slice(0, 200)}, first answer ${a.res.status} ${JSON.stringify(a.res.body).slice(0, 200)}`);
    }
  }
  return chosen.size;
}

/** Acks a random part of what the cloud received, leaving some events unacked at any moment. */
const ackSent = new Set<string>();
function ackSome(): void {
  if (!cloud.connected) return;
  const ids = [...cloud.deliveries.keys()].filter((id) => !ackSent.has(id) && rand() < 0.4);
  if (!ids.length) return;
  try {
    cloud.sendRaw(JSON.stringify({ type: "ack", event_ids: ids }));
    for (const id of ids) ackSent.add(id);
  } catch {
    /* link went down: acked later */
  }
}

afterAll(async () => {
  finished = true;
  if (failures.length && hub) writeFileSync(path.join(tmpdir(), `lockbridge-crash-${SEED}.log`), hub.logs);
  await hub?.cleanup();
  await cloud?.close();
});

describe(`hub killed with SIGKILL ${KILLS} times under load (seed ${SEED})`, () => {
  it(
    "keeps every acknowledged request, re-delivers unacked events, never doubles a code, and converges",
    async () => {
      const t0 = Date.now();
      cloud = await new TestCloud().listen();
      cloud.autoAck = false;
      hub = new HubProcess({
        cloud: { url: cloud.url, token: cloud.token },
        direct: true,
        locks: [
          { protocol: "zwave", name: "Crash A", slots: SLOTS, code_lengths: [4, 5, 6, 7, 8], checksum: true },
          { protocol: "zwave", name: "Crash B", slots: SLOTS, code_lengths: [4, 5, 6, 7, 8], checksum: false, battery: false },
        ],
        timing: { delay_warning_after_ms: 60_000, failure_after_ms: 600_000 },
      });
      await hub.start();
      devices = [...(await hub.devices()).values()].map((d) => d.device_id as string);
      await waitFor(() => cloud.connected, "cloud link");
      const acker = setInterval(ackSome, 100);
      const gate = new Gate();
      const workers = devices.map((d) => new Worker(d, gate));
      for (const w of workers) w.start();

      const restarts: number[] = [];
      const lockReady: number[] = [];
      let startupKills = 0;
      let replayed = 0;
      let redelivered = 0;
      let kills = 0;
      let cycles = 0;
      while (kills < KILLS) {
        cycles++;
        const label = `kill ${kills + 1}/${KILLS}`;
        // Kill while serving (requests in flight, radio writes, events being sent and acked).
        await sleep(between(100, 2500));
        hub.kill9();
        killTimes.push(new Date().toISOString());
        kills++;
        await hub.stop();
        // Sometimes kill again while the hub is still starting (radio interview, outbox replay).
        while (kills < KILLS && rand() < 0.2) {
          startupKills++;
          // HubProcess.start only notices an exit code, not death by a signal: race it with the exit.
          const starting = hub.start().catch(() => undefined);
          await sleep(between(50, 2000));
          const proc = hub.proc!;
          const exited = new Promise<void>((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once("exit", () => r())));
          hub.kill9();
          killTimes.push(new Date().toISOString());
          kills++;
          await Promise.race([starting, exited]);
          await hub.stop();
          const integrity = integrityCheck();
          if (integrity !== "ok") fail(`${label} (during start-up): integrity_check: ${integrity}`);
        }
        await waitFor(() => !cloud.connected, "link down after the kill", 10_000, 10);
        // The outbox as the cloud saw it at the moment of the crash.
        const unacked = [...cloud.deliveries.keys()].filter((id) => !ackSent.has(id));
        const seenBefore = new Map(cloud.deliveries);
        const framesBefore = cloud.frames.length;
        const integrity = integrityCheck();
        if (integrity !== "ok") fail(`${label}: integrity_check: ${integrity}`);

        const r0 = Date.now();
        const logFrom = hub.logs.length;
        const radiosReady = waitFor(() => (hub.logs.slice(logFrom).match(/"msg":"lock ready"/g)?.length ?? 0) >= devices.length, "locks ready after restart", 60_000, 20).then(() => Date.now() - r0);
        await hub.start();
        restarts.push(Date.now() - r0);
        await waitFor(() => cloud.connected, "cloud link after restart", 60_000, 20);
        // Every event the cloud had not acked comes again, in the order of the hub's outbox.
        await waitFor(() => unacked.every((id) => (cloud.deliveries.get(id) ?? 0) > seenBefore.get(id)!), `${label}: re-delivery of ${unacked.length} unacked events`, 30_000, 20);
        redelivered += unacked.length;
        const replayIds = cloud.frames
          .slice(framesBefore)
          .filter((f) => f.type === "event")
          .map((f) => (f.event as SeamEvent).event_id)
          .filter((id) => seenBefore.has(id));
        const firstSeen = [...seenBefore.keys()];
        const rank = new Map(firstSeen.map((id, i) => [id, i]));
        const firstReplay = replayIds.filter((id, i) => replayIds.indexOf(id) === i);
        if (firstReplay.some((id, i) => i > 0 && rank.get(id)! < rank.get(firstReplay[i - 1]!)!)) fail(`${label}: events replayed out of order`);

        gate.pause();
        for (const w of workers) await w.idle();
        await checkModel(label);
        replayed += await replays(label, 3);
        lockReady.push(await radiosReady);
        if (failures.length) console.log(`crash progress ${JSON.stringify({ seed: SEED, kills, cycles, restarts, lockReady, s: Math.round((Date.now() - t0) / 1000) })}`);
        expect(failures, failures.join("\n")).toEqual([]);
        gate.open();
      }

      // Quiesce, then everything converges: each managed code set and on its lock once, nothing else there.
      finished = true;
      gate.open();
      for (const w of workers) await w.join();
      const convergeStart = Date.now();
      await waitFor(
        async () => {
          const listed = await listAll();
          if (listed.some((c) => c.status !== "set")) return false;
          return listed.length === [...model.values()].filter((m) => !m.deleted).length;
        },
        "every managed code set",
        90_000,
        200,
      ).catch((e: unknown) => fail(`convergence: ${e instanceof Error ? e.message : String(e)}`));
      const convergeMs = Date.now() - convergeStart;
      await checkModel("final");
      const listed = await listAll();
      for (const d of devices) {
        const slots = (await physical(d)).filter((s) => s.code !== null);
        const managed = listed.filter((c) => c.device_id === d);
        const unmanaged = (await hub.post("/access_codes/unmanaged/list", { device_id: d })).body.access_codes as Array<Record<string, any>>;
        for (const c of managed) {
          const n = slots.filter((s) => s.code === c.code).length;
          if (n !== 1) fail(`final: managed code ${c.name} is in ${n} slots of its lock`);
        }
        for (const s of slots) {
          if (!managed.some((c) => c.code === s.code) && !unmanaged.some((u) => u.code === s.code)) fail(`final: slot ${s.slot} of ${d} holds a code that is neither managed nor unmanaged`);
        }
        // No keypad touched these locks: an unmanaged code here is one of the hub's own writes it lost track of.
        if (unmanaged.length) fail(`final: ${unmanaged.length} unmanaged codes appeared on ${d} (slots ${unmanaged.map((u) => u.access_code_id).join(",")})`);
      }

      // Drain the outbox, then compare what the cloud saw with the hub's outbox.
      clearInterval(acker);
      cloud.autoAck = true;
      cloud.sendRaw(JSON.stringify({ type: "ack", event_ids: [...cloud.deliveries.keys()] }));
      await waitFor(async () => (await hub.post("/hub/status", {})).body.hub.pending_events === 0, "outbox drained", 30_000);
      const stopped = await hub.stop();
      expect(stopped.graceful).toBe(true);
      expect(integrityCheck()).toBe("ok");
      const outbox = outboxOrder();
      const delivered = [...cloud.deliveries.keys()];
      const inOutbox = new Set(outbox.map((e) => e.event_id));
      const lostAfterDelivery = delivered.filter((id) => !inOutbox.has(id));
      if (lostAfterDelivery.length) fail(`${lostAfterDelivery.length} delivered events are not in the hub's outbox (committed state lost)`);
      const neverDelivered = outbox.filter((e) => !cloud.deliveries.has(e.event_id));
      if (neverDelivered.length) fail(`${neverDelivered.length} outbox events never reached the cloud`);
      if (JSON.stringify(delivered) !== JSON.stringify(outbox.map((e) => e.event_id))) fail("first deliveries are not in outbox order");
      // An event id names one transition: every delivery of it is the same event; no transition is emitted twice.
      const bodies = new Map<string, string>();
      for (const e of cloud.events) {
        const text = JSON.stringify(e);
        const prev = bodies.get(e.event_id);
        if (prev !== undefined && prev !== text) fail(`event ${e.event_id} delivered with two bodies`);
        bodies.set(e.event_id, text);
      }
      checkEventSequences("final");
      for (const m of model.values()) {
        if (m.deleted && !cloud.events.some((e) => e.access_code_id === m.id && e.event_type === "access_code.deleted")) fail(`no access_code.deleted for deleted ${m.name}`);
      }
      // A request id answers the same, however often and across however many restarts it came.
      const answers = new Map<string, string>();
      for (const f of cloud.frames) {
        if (f.type !== "response") continue;
        const text = JSON.stringify([f.status, f.body]);
        const prev = answers.get(f.id as string);
        if (prev !== undefined && prev !== text) fail(`request ${String(f.id)} answered differently`);
        answers.set(f.id as string, text);
      }

      const ops = workers.reduce((a, w) => ({ create: a.create + w.ops.create, update: a.update + w.ops.update, delete: a.delete + w.ops.delete, cloud: a.cloud + w.ops.cloud, http: a.http + w.ops.http, uncertain: a.uncertain + w.ops.uncertain }), { create: 0, update: 0, delete: 0, cloud: 0, http: 0, uncertain: 0 });
      const sorted = [...restarts].sort((a, b) => a - b);
      const sortedReady = [...lockReady].sort((a, b) => a - b);
      const summary = {
        seed: SEED,
        kills,
        cycles,
        startup_kills: startupKills,
        restarts: restarts.length,
        restart_ms: { median: sorted[Math.floor(sorted.length / 2)], p90: sorted[Math.floor(sorted.length * 0.9)], max: sorted.at(-1) },
        locks_ready_ms: { median: sortedReady[Math.floor(sortedReady.length / 2)], p90: sortedReady[Math.floor(sortedReady.length * 0.9)], max: sortedReady.at(-1) },
        ops,
        events: outbox.length,
        deliveries: cloud.events.length,
        unacked_redelivered: redelivered,
        replayed_request_ids: replayed,
        lost_http_creates: lostCreates.size,
        converge_ms: convergeMs,
        total_s: Math.round((Date.now() - t0) / 1000),
      };
      console.log(`crash summary ${JSON.stringify(summary)}`);
      expect(failures, failures.join("\n")).toEqual([]);
    },
    KILLS * 20_000 + 180_000,
  );
});
