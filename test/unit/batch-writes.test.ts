// Batched code writes through the agent in-process, on a fake driver (our own code mocked): the planner's
// write_slots steps reach LockHandle.writeSlots sized to the lock's multiCodeWrite, every code of a batch
// ends `set` on its own proof or fails on its own refusal, and lock operations never interleave with a
// batch in flight. The real radio: test/drivers/zwave-batch.test.ts; through the hub process:
// test/e2e/batch-writes.test.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configSchema, type HubConfig } from "../../agent/config/schema.js";
import { Hub } from "../../agent/hub.js";
import { createLogger } from "../../agent/log.js";
import { FakeDriver } from "../support/fake-driver.js";
import { waitFor } from "../support/ports.js";

/** The S2 frame budget: 3 codes of 4-5 digits, 2 of 6-10 per write. */
const S2_BUDGET = { budgetBytes: 30, batchBytes: 1, codeBytes: 4, maxCodes: 255 };

let hub: Hub | null = null;
let driver: FakeDriver;
const dirs: string[] = [];

function config(): HubConfig {
  const dir = mkdtempSync(path.join(tmpdir(), "lb-batch-"));
  dirs.push(dir);
  const parsed = configSchema.parse({
    data_dir: dir,
    local_api: { listen: "127.0.0.1:0", api_key: "k".repeat(32) },
    timing: { delay_warning_after_ms: 60_000, failure_after_ms: 120_000, lock_operation_timeout_ms: 10_000 },
  });
  return { ...parsed, hub_id: "5d0c1f6e-0000-4000-8000-00000000b001", workspace_id: "5d0c1f6e-0000-4000-8000-00000000b002", connected_account_id: "5d0c1f6e-0000-4000-8000-00000000b003", local_api: { listen: "127.0.0.1:0", api_key: "k".repeat(32) }, configPath: "" };
}

async function start(): Promise<void> {
  hub = new Hub(config(), { logger: createLogger({ level: "silent" }), drivers: async () => [driver] });
  await hub.start();
  await waitFor(() => hub!.store.locks().length === 1 && hub!.store.locks()[0]!.slotsSynced && hub!.registry.executor(device())?.lockHandle, "lock synced");
}

afterEach(async () => {
  await hub?.stop();
  hub = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const device = () => hub!.store.locks()[0]!.deviceId;
const fake = () => driver.fakes[0]!;
const call = (p: string, params: unknown) => hub!.router.handle({ path: p, params, door: "http" });
const codes = () => hub!.store.codes({ deviceId: device() });
/** Radio calls as started, e.g. "writeSlots(1,2,3)", "writeSlot(4)", "setLocked(false)". */
const started = () => fake().calls.filter((c) => c.endsWith(":start") && !c.startsWith("readLockState")).map((c) => c.slice(0, -":start".length));

async function create(pins: readonly string[]): Promise<void> {
  for (const code of pins) expect((await call("/access_codes/create", { device_id: device(), code })).status).toBe(200);
}

describe("batched writes (write_slots)", () => {
  it("codes go in batches the lock's frame fits; each ends set, and the lock holds exactly them", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 10, multiCode: S2_BUDGET }]);
    await start();
    fake().callMs = 100;
    fake().calls.length = 0;
    const pins = ["1357", "2468", "3579", "4680", "135791", "246802", "5791"];
    await create(pins);
    await waitFor(() => codes().every((c) => c.status === "set"), "every code set", 10_000);
    const writes = started().filter((c) => c.startsWith("writeSlot"));
    // The first code may start alone (the others not yet created); after that, full frames.
    for (const w of writes) {
      const slots = w.replace(/^writeSlots?\(|\)$/g, "").split(",").map(Number);
      const lengths = slots.map((s) => fake().memory.get(s)!.code.length);
      expect(1 + lengths.reduce((n, l) => n + 4 + l, 0), w).toBeLessThanOrEqual(S2_BUDGET.budgetBytes);
    }
    expect(writes.filter((w) => w.startsWith("writeSlots(")).length).toBeGreaterThanOrEqual(2);
    expect(writes.length).toBeLessThan(pins.length);
    expect([...fake().memory.values()].map((m) => m.code).sort()).toEqual([...pins].sort());
    for (const c of codes()) expect(fake().memory.get(c.slot!)?.code).toBe(c.code);
    const setEvents = hub!.store.events({ limit: 1000 }).filter((e) => e.eventType === "access_code.set_on_device");
    expect(setEvents).toHaveLength(pins.length);
  });

  it("a duplicate inside a batch fails that code alone (duplicate_code_on_device); the others end set", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 10, multiCode: S2_BUDGET }]);
    await start();
    // A code the hub does not know of (the lock sent nothing about it): only the lock can refuse it.
    fake().memory.set(9, { code: "2468" });
    fake().callMs = 100;
    fake().calls.length = 0;
    // Created while the first write is on the air, so the three go as one batch after it.
    await create(["9999", "1357", "2468", "3579"]);
    await waitFor(() => codes().every((c) => c.status === "set" || c.gaveUp), "every code settled", 10_000);
    expect(started()).toContain("writeSlots(2,3,4)");
    const byPin = new Map(codes().map((c) => [c.code, c]));
    expect(byPin.get("2468")!.errors.map((e) => e.code)).toEqual(["duplicate_code_on_device"]);
    for (const pin of ["9999", "1357", "3579"]) expect(byPin.get(pin)!.status).toBe("set");
    expect(fake().memory.get(9)!.code).toBe("2468");
  });

  it("an unlock asked for during a batch waits for it, never interleaves, and goes ahead of the next batch", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 10, multiCode: S2_BUDGET }]);
    await start();
    fake().callMs = 150;
    fake().calls.length = 0;
    await create(["1111", "1357", "2468", "3579", "4680", "5791", "6802"]);
    await waitFor(() => started().some((c) => c.startsWith("writeSlots(")), "a batch on the air");
    const r = await call("/locks/unlock_door", { device_id: device() });
    expect(r.status).toBe(200);
    await waitFor(() => codes().every((c) => c.status === "set") && !fake().locked, "codes set and door unlocked", 10_000);
    const calls = fake().calls.filter((c) => !c.startsWith("readLockState"));
    for (let i = 0; i < calls.length; i += 2) expect(calls[i + 1]).toBe(calls[i]!.replace(":start", ":end"));
    const order = started();
    const unlockAt = order.indexOf("setLocked(false)");
    const firstBatch = order.findIndex((c) => c.startsWith("writeSlots("));
    expect(unlockAt).toBe(firstBatch + 1);
    expect(order.slice(unlockAt + 1).some((c) => c.startsWith("writeSlot"))).toBe(true);
  });

  it("a lock without multiCodeWrite gets one writeSlot per code (Zigbee, most Z-Wave locks)", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 10 }]);
    await start();
    fake().callMs = 50;
    fake().calls.length = 0;
    await create(["1357", "2468", "3579"]);
    await waitFor(() => codes().every((c) => c.status === "set"), "every code set");
    expect(started().filter((c) => c.startsWith("writeSlot")).sort()).toEqual(["writeSlot(1)", "writeSlot(2)", "writeSlot(3)"]);
  });
});
