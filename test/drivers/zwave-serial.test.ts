// SerialBackend, the production path, against zwave-js's MockController served on 127.0.0.1
// (test/support/zwave-tcp-bridge.ts): opening a controller that is not there yet, stopping while it
// is being retried, and the S2 frame budget of a lock (drivers/zwave/frame-budget.ts).
import { afterEach, describe, expect, it } from "vitest";
import { SecurityClass } from "@zwave-js/core";
import { UserCodeCCExtendedUserCodeSet, UserIDStatus, ZWaveErrorCodes, type Driver } from "zwave-js";
import { ReconnectStopped } from "../../drivers/reconnect.js";
import { ZWaveLockDriver } from "../../drivers/zwave/driver.js";
import { userCodePayloadBudget } from "../../drivers/zwave/frame-budget.js";
import { SerialBackend } from "../../drivers/zwave/serial-backend.js";
import { PairingRecorder } from "../support/pairing-recorder.js";
import { freePort } from "../support/ports.js";
import { TEST_SECURITY_KEYS, ZWaveTcpBridge } from "../support/zwave-tcp-bridge.js";
import { EventRecorder, recordingLogger, simLock, tempDataDir } from "../support/zwave-harness.js";

const KEYS = TEST_SECURITY_KEYS;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function rig(port?: number) {
  const data = await tempDataDir();
  const bridge = new ZWaveTcpBridge({
    dataDir: `${data.dir}/stick`,
    securityKeys: KEYS,
    locks: [
      { config: simLock({ name: "S2 door", slots: 10, checksum: true }), security: "S2_AccessControl" },
      { config: simLock({ name: "Plain door", slots: 10, checksum: true }), security: "none" },
      { config: simLock({ name: "S0 door", slots: 10, checksum: true }), security: "S0_Legacy" },
    ],
  });
  const logger = recordingLogger();
  const recorder = new EventRecorder();
  const backend = new SerialBackend({ mode: "serial", port: `tcp://127.0.0.1:${port ?? 0}`, securityKeys: KEYS, dataDir: `${data.dir}/hub` }, logger);
  const driver = new ZWaveLockDriver(backend, logger);
  driver.onEvent(recorder.listener);
  cleanups.push(async () => (await driver.stop(), await bridge.stop(), await data.cleanup()));
  return { bridge, backend, driver, logger, recorder };
}

const attempts = (logger: ReturnType<typeof recordingLogger>) => logger.entries.filter((e) => e.msg === "z-wave controller not reachable; retrying");

describe("SerialBackend over tcp://", () => {
  it("start() with no controller there retries with growing pauses, and resolves once it is plugged in", async () => {
    const port = await freePort();
    const { bridge, driver, logger, recorder } = await rig(port);
    const started = driver.start();
    let done = false;
    void started.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 3_500));
    expect(done).toBe(false);
    const tries = attempts(logger);
    expect(tries.length).toBeGreaterThanOrEqual(2);
    expect(tries.length).toBeLessThanOrEqual(4);
    expect(tries.map((e) => (e.obj as { retryInMs: number }).retryInMs)).toEqual([1000, 2000, 4000].slice(0, tries.length));
    await bridge.start(port);
    await started;
    expect(logger.entries.filter((e) => e.msg === "z-wave controller is back")).toHaveLength(1);
    const locks = await recorder.locksReady(2, 60_000);
    expect(locks.map((l) => l.isOnline())).toEqual([true, true]);
    expect(locks.map((l) => l.identity.radioId).sort()).toEqual([bridge.radioIdOf(2), bridge.radioIdOf(4)]);
    // protocol.md §7: the lock without S2/S0 keys is in the network but never a lock of the hub's.
    const refused = () => logger.entries.filter((e) => e.msg?.startsWith("z-wave lock is in the network without security"));
    for (let i = 0; i < 200 && refused().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(refused().map((e) => (e.obj as { radioId: string }).radioId)).toEqual([bridge.radioIdOf(3)]);
    expect(driver.locks()).toHaveLength(2);
  }, 90_000);

  it("controller lost: offline within seconds, old handles fail fast as offline (never a refusal) and keep their capabilities; new ones after replug", async () => {
    const port = await freePort();
    const { bridge, driver, logger, recorder } = await rig(port);
    await bridge.start(port);
    await driver.start();
    const [lock] = await recorder.locksReady(1, 60_000);
    const caps = lock!.capabilities();
    const from = recorder.events.length;
    const t0 = Date.now();
    await bridge.unplug();
    await recorder.waitFor((e) => e.type === "availability" && !e.online, 10_000, from);
    // zwave-js's own ten reopen tries would take over 10 s: it gives up after one (serial-backend.ts).
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(lock!.isOnline()).toBe(false);
    expect(lock!.capabilities()).toEqual(caps);
    const t1 = Date.now();
    expect(await lock!.writeSlot(1, "2580")).toEqual({ ok: false, failure: "offline", message: "the Z-Wave controller is not connected" });
    await expect(lock!.readSlot(1)).rejects.toMatchObject({ failure: "offline" });
    expect(Date.now() - t1).toBeLessThan(100);
    await bridge.plugIn();
    const [again] = await recorder.locksReady(1, 60_000, from);
    expect(again).not.toBe(lock);
    expect(again!.identity.radioId).toBe(lock!.identity.radioId);
    expect(await again!.writeSlot(1, "2580")).toEqual({ ok: true, proof: "supervision" });
    expect(bridge.physicalSlots(2)[0]).toEqual({ slot: 1, code: "2580" });
    // Lock state works on the new handle too: the bridge's nodes come from the simulation's one node factory (Door Lock, S2).
    expect(await again!.setLocked(false)).toMatchObject({ ok: true });
    expect(bridge.lock(2).door!.mechanism.locked).toBe(false);
    expect(again!.lockState().locked).toBe(false);
    expect(logger.entries.map((e) => JSON.stringify(e.obj))).not.toContainEqual(expect.stringContaining("2580"));
  }, 90_000);

  it("controller lost during an inclusion: the session ends with controller_lost, and the reopened controller takes a new one", async () => {
    const port = await freePort();
    const { bridge, driver, recorder } = await rig(port);
    await bridge.start(port);
    await driver.start();
    await recorder.locksReady(1, 60_000);
    const rec = new PairingRecorder();
    await driver.pairing.include({}, rec.listener);
    await expect(driver.pairing.include({}, () => undefined)).rejects.toMatchObject({ code: "busy" });
    const from = recorder.events.length;
    await bridge.unplug();
    const lost = await rec.next("controller_lost", 10_000);
    expect(lost.message).toMatch(/controller was lost/);
    await bridge.plugIn();
    await recorder.locksReady(1, 60_000, from);
    const again = new PairingRecorder();
    const session = await driver.pairing.include({}, again.listener);
    await session.stop();
    await again.next("closed", 10_000);
    expect(rec.types()).toEqual(["controller_lost"]);
  }, 90_000);

  it("stop() while the controller is being retried ends start() at once and tries no more", async () => {
    const { driver, logger } = await rig(await freePort());
    const started = driver.start();
    await new Promise((r) => setTimeout(r, 1_500));
    const t0 = Date.now();
    await driver.stop();
    await expect(started).rejects.toBeInstanceOf(ReconnectStopped);
    expect(Date.now() - t0).toBeLessThan(1_000);
    const after = attempts(logger).length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect(attempts(logger).length).toBe(after);
  }, 30_000);
});

/** An Extended User Code Set whose payload after the CC header is exactly `bytes` long (codes of 4..10 digits). */
function setOfSize(nodeId: number, bytes: number): UserCodeCCExtendedUserCodeSet {
  // A count byte, then per code: user id (2), status (1), length (1) and the digits.
  const entries = bytes - 1;
  let n = 1;
  while (!(8 * n <= entries && entries <= 14 * n)) if (++n > 10) throw new Error(`cannot fill ${bytes} bytes`);
  const digits = entries - 4 * n;
  const userCodes = Array.from({ length: n }, (_, i) => ({
    userId: i + 1,
    userIdStatus: UserIDStatus.Enabled as const,
    userCode: "7".repeat(Math.floor(digits / n) + (i < digits % n ? 1 : 0)),
  }));
  return new UserCodeCCExtendedUserCodeSet({ nodeId, userCodes });
}

async function sendOutcome(driver: Driver, cc: UserCodeCCExtendedUserCodeSet): Promise<"sent" | "too large" | string> {
  try {
    await driver.sendCommand(cc);
    return "sent";
  } catch (e) {
    const code = (e as { code?: number }).code;
    return code === ZWaveErrorCodes.Controller_MessageTooLarge ? "too large" : `other: ${(e as Error).message}`;
  }
}

describe("S2 frame budget", () => {
  it("counts S2 and Supervision against the controller's maximum payload; zwave-js agrees at the boundary", async () => {
    const port = await freePort();
    const { bridge, backend } = await rig(port);
    await bridge.start(port);
    const zwave = await backend.open();
    cleanups.push(() => zwave.destroy());
    const nodes = [2, 3].map((id) => zwave.controller.nodes.get(id)!);
    await Promise.all(nodes.map((n) => (n.ready ? undefined : new Promise((r) => n.once("ready", r)))));
    const [s2, plain] = nodes as [NonNullable<(typeof nodes)[number]>, NonNullable<(typeof nodes)[number]>];
    expect(s2.getHighestSecurityClass()).toBe(SecurityClass.S2_AccessControl);
    expect(plain.getHighestSecurityClass()).toBe(SecurityClass.None);

    const s2Budget = userCodePayloadBudget(zwave, s2);
    const plainBudget = userCodePayloadBudget(zwave, plain);
    // Supervision takes 4 bytes, S2 12 (its header, sequence number, extension flags, 8-byte MAC),
    // explorer frames 2.
    expect(userCodePayloadBudget(zwave, s2, { supervised: false }) - s2Budget).toBe(4);
    expect(plainBudget - s2Budget).toBe(12);
    expect(s2Budget - userCodePayloadBudget(zwave, s2, { explorerFrames: true })).toBe(2);
    // What batched writes will size against under S2 (1 + n x (4 + digits)): 3 codes of 4-5 digits, 2 of 6-10.
    expect(1 + 3 * (4 + 5)).toBeLessThanOrEqual(s2Budget);
    expect(1 + 4 * (4 + 4)).toBeGreaterThan(s2Budget);
    expect(1 + 2 * (4 + 10)).toBeLessThanOrEqual(s2Budget);
    expect(1 + 3 * (4 + 6)).toBeGreaterThan(s2Budget);

    // zwave-js itself, at the boundary: the budget is sent, one byte more is "message too large" (ZW0217).
    expect(await sendOutcome(zwave, setOfSize(s2.id, s2Budget))).not.toBe("too large");
    expect(await sendOutcome(zwave, setOfSize(s2.id, s2Budget + 1))).toBe("too large");
    expect(await sendOutcome(zwave, setOfSize(plain.id, plainBudget))).not.toBe("too large");
    expect(await sendOutcome(zwave, setOfSize(plain.id, plainBudget + 1))).toBe("too large");
  }, 90_000);
});
