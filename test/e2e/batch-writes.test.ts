// Batched code writes through the hub process as a user starts it, on a simulated multi-code User Code v2
// battery Z-Wave lock (`multi_code: true`) behind the real zwave-js Driver, with radio time realistic (a
// wake-up beam per command, so codes created together wait for the radio and go out in full frames):
// every code ends `set` on its own proof, in a fraction of the radio commands, and the lock's memory
// (/hub/simulate/lock_slots) holds exactly those codes; deleting some and creating others keeps it exact.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HubProcess } from "../support/hub-process.js";
import { PinLedger } from "../support/pins.js";
import { waitFor } from "../support/ports.js";
import { expectSeam } from "../support/seam.js";

const pins = new PinLedger();
let hub: HubProcess;
let lock: string;

beforeAll(async () => {
  const locks = [{ protocol: "zwave" as const, name: "Multi", slots: 16, code_lengths: [4, 5, 6, 7, 8], checksum: true, multi_code: true }];
  hub = new HubProcess({ timing: { delay_warning_after_ms: 120_000, failure_after_ms: 600_000 }, locks, extra: { simulation: { locks, radio_time: "realistic" } } });
  await hub.start();
  lock = (await hub.devices()).get("Multi")!.device_id as string;
  // The interview and first sync (16 slot reads, a beam each) are done before anything is counted.
  await waitFor(async () => (await status()).counters.reconcile[lock]?.full_read === true, "first sync done", 90_000);
}, 150_000);
afterAll(async () => {
  expect(pins.leaked(hub?.logs ?? "")).toEqual([]);
  await hub?.cleanup();
});

const status = async () => (await hub.post("/hub/status", {})).body.hub as Record<string, any>;
const list = async () => (await hub.post("/access_codes/list", { device_id: lock })).body.access_codes as Array<Record<string, any>>;

/** What the lock holds, slot -> code, occupied slots only. */
async function memory(): Promise<Map<number, string>> {
  return new Map((await hub.slots(lock)).flatMap((s) => (s.code === null ? [] : [[s.slot, s.code] as [number, string]])));
}

/** Distinct PINs of the given lengths, in turn. */
function pinsOf(n: number, seed: number, lengths: readonly number[]): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const length = lengths[i % lengths.length]!;
    const pin = String(seed + i * 7919).padStart(length, "0").slice(-length);
    if (!out.includes(pin) && new Set(pin).size > 1) out.push(pin);
  }
  return out;
}

describe("batched writes through the hub process", () => {
  it("12 codes created at once: every one ends set, in a third of the radio commands, and the lock holds exactly them", async () => {
    const before = (await status()).counters.radio_commands as number;
    const created = pinsOf(12, 402_913, [4]).map((p) => pins.use(p));
    const ids: string[] = [];
    for (const code of created) {
      const r = await hub.post("/access_codes/create", { device_id: lock, name: `Guest ${code.length}`, code });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      ids.push(r.body.access_code.access_code_id as string);
    }
    await waitFor(async () => (await list()).every((c) => c.status === "set"), "every code set", 60_000);
    const codes = await list();
    expect(codes).toHaveLength(12);
    for (const c of codes) expectSeam("access_code", c);
    // Each code on the lock, in a slot of its own, nothing else there.
    const held = await memory();
    expect([...held.values()].sort()).toEqual([...created].sort());
    expect(new Set(held.keys()).size).toBe(12);
    // Without batches: 12 writes (and a checksum read). The first code goes alone (the others are still
    // being created while its beam is on the air); the 11 behind it fill 42-byte frames, 5 codes of 4 digits
    // each: 4 writes.
    await waitFor(async () => (await status()).counters.radio_commands - before >= 4, "writes counted");
    const used = ((await status()).counters.radio_commands as number) - before;
    expect(used).toBeLessThanOrEqual(6);
    const events = (await hub.post("/events/list", { since: "1970-01-01T00:00:00.000Z", limit: 1000 })).body.events as Array<Record<string, any>>;
    for (const id of ids) expect(events.filter((e) => e.event_type === "access_code.set_on_device" && e.access_code_id === id)).toHaveLength(1);
  }, 120_000);

  it("some deleted and others created at once: the lock holds exactly the codes that remain", async () => {
    const codes = await list();
    const gone = codes.slice(0, 4);
    for (const c of gone) expect((await hub.post("/access_codes/delete", { access_code_id: c.access_code_id })).status).toBe(200);
    const added = pinsOf(6, 611_531, [6, 8]).map((p) => pins.use(p));
    for (const code of added) expect((await hub.post("/access_codes/create", { device_id: lock, code })).status).toBe(200);
    await waitFor(async () => {
      const now = await list();
      return now.length === 14 && now.every((c) => c.status === "set");
    }, "deletes done and new codes set", 60_000);
    const remaining = (await list()).map((c) => c.code as string);
    const held = await memory();
    expect([...held.values()].sort()).toEqual([...remaining].sort());
    for (const c of gone) expect([...held.values()]).not.toContain(c.code);
  }, 90_000);
});
