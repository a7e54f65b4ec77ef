// Issue 13: Z-Wave pairing through the contract's RadioPairing, on the REAL zwave-js Driver and its
// mock controller: factory-new simulated locks go through inclusion and S2 bootstrapping for real.
// One network is shared by the scenarios in order, then restarted on the same data directory.
import { SecurityClass, parseQRCodeString } from "@zwave-js/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PairingError, type DriverEvent, type LockHandle, type PairingSession, type RadioPairing, type SimulatedLockLabel } from "../../drivers/contract.js";
import { smartStartQrCode } from "../../drivers/zwave/sim/qr-code.js";
import { PairingRecorder } from "../support/pairing-recorder.js";
import { removeLeftoverCacheLocks } from "../support/zwave-cache-locks.js";
import { simLock, simulatedZWave, tempDataDir, type SimulatedZWave } from "../support/zwave-harness.js";

const FRONT = simLock({ name: "Front door", slots: 10, checksum: true });

let data: { dir: string; cleanup: () => Promise<void> };
let net: SimulatedZWave;
const timings: Record<string, number> = {};
const frames: Record<string, number> = {};
/** Every secret a label printed: none may reach a log line. */
const secrets = new Set<string>();

function pairing(): RadioPairing {
  const p = net.driver.pairing;
  if (!p?.simulator) throw new Error("no simulated pairing");
  return p;
}

async function newLock(name: string, extra: { security?: "s2" | "s0" | "none"; smart_start?: boolean } = {}): Promise<SimulatedLockLabel> {
  const label = await pairing().simulator!.newLock({ protocol: "zwave", name, slots: 5, ...extra });
  for (const s of [label.dsk, label.pin, label.qrCode]) if (s) secrets.add(s);
  return label;
}

function readyEvent(radioId: string, from: number): Promise<Extract<DriverEvent, { type: "lock_ready" }>> {
  return net.recorder.waitFor((e): e is Extract<DriverEvent, { type: "lock_ready" }> => e.type === "lock_ready" && e.lock.identity.radioId === radioId, 15_000, from);
}

function highestClass(radioId: string): SecurityClass | undefined {
  const nodeId = Number(radioId.split(":")[2]);
  return net.simulation.driver().controller.nodes.get(nodeId)?.getHighestSecurityClass();
}

/** Includes a factory-new S2 lock with its PIN; returns its handle. */
async function includeWithPin(label: SimulatedLockLabel, measure?: string): Promise<LockHandle> {
  const rec = new PairingRecorder();
  const session = await pairing().include({}, rec.listener);
  const from = net.recorder.events.length;
  const t0 = Date.now();
  const f0 = net.simulation.simulator.frameCount();
  expect(await pairing().simulator!.pressButton({ simId: label.simId })).toBe("joined");
  const asked = await rec.next("pin_needed");
  expect(asked.partialDsk).toBe(label.dsk!.slice(5));
  session.providePin(label.pin!);
  const joined = await rec.next("joined");
  const ready = await readyEvent(joined.radioId, from);
  if (measure) {
    timings[measure] = Date.now() - t0;
    frames[measure] = net.simulation.simulator.frameCount() - f0;
  }
  return ready.lock;
}

beforeAll(async () => {
  data = await tempDataDir();
  net = simulatedZWave(data.dir, [FRONT]);
  await net.driver.start();
  await net.recorder.locksReady(1);
});

afterAll(async () => {
  await net?.driver.stop();
  const logged = JSON.stringify(net?.logger.entries ?? []);
  for (const secret of secrets) expect(logged, "a PIN, DSK or QR code reached a log line").not.toContain(secret);
  console.info(`z-wave pairing timings (ms): ${JSON.stringify(timings)}; frames per inclusion: ${JSON.stringify(frames)}`);
  await data?.cleanup();
});

describe("Z-Wave pairing on the mock controller", () => {
  it("brings a configured lock up in the network with S2 Access Control", () => {
    const [front] = net.driver.locks();
    expect(front?.identity.name).toBe("Front door");
    expect(highestClass(front!.identity.radioId)).toBe(SecurityClass.S2_AccessControl);
  });

  it("includes a factory-new S2 lock with the PIN from its label; it bootstraps and becomes a usable lock", async () => {
    const label = await newLock("Garage");
    expect(label.dsk).toMatch(/^(\d{5}-){7}\d{5}$/);
    expect(label.pin).toBe(label.dsk!.slice(0, 5));
    const rec = new PairingRecorder();
    const session = await pairing().include({}, rec.listener);
    const from = net.recorder.events.length;
    expect(await pairing().simulator!.pressButton({ simId: label.simId })).toBe("joined");
    expect((await rec.next("security_requested")).requested).toEqual(["S2_AccessControl"]);
    const asked = await rec.next("pin_needed");
    expect(asked.partialDsk).toBe(label.dsk!.slice(5));
    expect(() => session.providePin("12")).toThrow(PairingError);
    session.providePin(label.pin!);
    const joined = await rec.next("joined");
    expect(joined.granted).toEqual(["S2_AccessControl"]);
    expect(rec.types()).toEqual(["device_found", "security_requested", "pin_needed", "securing", "joined"]);
    const { lock } = await readyEvent(joined.radioId, from);
    expect(highestClass(joined.radioId)).toBe(SecurityClass.S2_AccessControl);
    expect(await lock.writeSlot(1, "4567")).toMatchObject({ ok: true, proof: "supervision" });
    expect(net.simulation.simulator.physicalSlots(joined.radioId)[0]).toEqual({ slot: 1, code: "4567" });
  });

  it("takes a full DSK up front (no PIN step), and refuses a DSK that is not the lock's", async () => {
    const label = await newLock("Shed");
    const rec = new PairingRecorder();
    await pairing().include({ dsk: label.dsk!.replaceAll("-", "") }, rec.listener);
    await pairing().simulator!.pressButton({ simId: label.simId });
    const joined = await rec.next("joined");
    expect(rec.types()).not.toContain("pin_needed");
    expect(joined.granted).toEqual(["S2_AccessControl"]);

    const other = await newLock("Wrong label");
    const stranger = await newLock("Stranger");
    const rec2 = new PairingRecorder();
    await pairing().include({ dsk: other.dsk! }, rec2.listener);
    await pairing().simulator!.pressButton({ simId: stranger.simId });
    const failed = await rec2.next("failed");
    expect(failed.error).toBe("wrong_pin");
    expect(failed.message).toMatch(/DSK/);
    await expect(pairing().include({ dsk: "1234" }, () => undefined)).rejects.toMatchObject({ code: "invalid_dsk" });
  });

  it("reports a wrong PIN; the lock never becomes usable, and the next inclusion works at once", async () => {
    const label = await newLock("Wrong PIN");
    const rec = new PairingRecorder();
    const session = await pairing().include({}, rec.listener);
    const from = net.recorder.events.length;
    await pairing().simulator!.pressButton({ simId: label.simId });
    await rec.next("pin_needed");
    session.providePin(String((Number(label.pin) + 1) % 100_000).padStart(5, "0"));
    const failed = await rec.next("failed");
    expect(failed.error).toBe("wrong_pin");
    expect(failed.message).toMatch(/exclude it/);
    expect(highestClass(failed.radioId!)).toBe(SecurityClass.None);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(net.recorder.events.slice(from).some((e) => e.type === "lock_ready" && e.lock.identity.radioId === failed.radioId)).toBe(false);
    // zwave-js left a KEX waiter open for 240 s after the wrong PIN; without clearing it this times out.
    const next = await newLock("After wrong PIN");
    const lock = await includeWithPin(next);
    expect(await lock.writeSlot(2, "2580")).toMatchObject({ ok: true });
  });

  it("includes an S0-only lock with S0, and never includes a lock insecurely unless asked", async () => {
    const s0 = await newLock("Legacy", { security: "s0" });
    const rec = new PairingRecorder();
    await pairing().include({}, rec.listener);
    const from = net.recorder.events.length;
    await pairing().simulator!.pressButton({ simId: s0.simId });
    const joined = await rec.next("joined");
    expect(joined.granted).toEqual(["S0_Legacy"]);
    expect(rec.types()).not.toContain("pin_needed");
    const { lock } = await readyEvent(joined.radioId, from);
    expect(await lock.writeSlot(1, "1357")).toMatchObject({ ok: true });

    const plain = await newLock("No security", { security: "none" });
    const rec2 = new PairingRecorder();
    await pairing().include({}, rec2.listener);
    await pairing().simulator!.pressButton({ simId: plain.simId });
    expect((await rec2.next("failed")).error).toBe("insecure_inclusion");

    const forced = await newLock("Forced insecure");
    const rec3 = new PairingRecorder();
    const from3 = net.recorder.events.length;
    await pairing().include({ strategy: "insecure" }, rec3.listener);
    await pairing().simulator!.pressButton({ simId: forced.simId });
    const insecure = await rec3.next("failed");
    expect(insecure.error).toBe("insecure_inclusion");
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // It is interviewed (it answers insecurely) but never becomes a lock.
    expect(net.recorder.events.slice(from3).some((e) => e.type === "lock_ready" && e.lock.identity.radioId === insecure.radioId)).toBe(false);
  });

  it("closes a window on stop, refuses a second pairing meanwhile, and pairs again afterwards", async () => {
    const rec = new PairingRecorder();
    const session: PairingSession = await pairing().include({}, rec.listener);
    await expect(pairing().include({}, () => undefined)).rejects.toMatchObject({ code: "busy" });
    await expect(pairing().exclude!(() => undefined)).rejects.toMatchObject({ code: "busy" });
    await session.stop();
    await rec.next("closed");
    const late = await newLock("Too late");
    expect(await pairing().simulator!.pressButton({ simId: late.simId })).toBe("none");
    await includeWithPin(late);
  });

  it("provisions a SmartStart lock from its QR code; it joins by itself", async () => {
    const label = await newLock("SmartStart", { smart_start: true });
    expect(label.qrCode).toMatch(/^9001\d+$/);
    const parsed = await parseQRCodeString(label.qrCode!);
    expect(parsed.dsk).toBe(label.dsk);
    const unsolicited = new PairingRecorder();
    pairing().onUnsolicited(unsolicited.listener);
    const from = net.recorder.events.length;
    const t0 = Date.now();
    const f0 = net.simulation.simulator.frameCount();
    const entry = await pairing().smartStart!.add(label.qrCode!);
    expect(entry).toMatchObject({ dsk: label.dsk, status: "active", securityClasses: ["S2_AccessControl"] });
    const joined = await unsolicited.next("joined", 15_000);
    expect(joined.granted).toEqual(["S2_AccessControl"]);
    await readyEvent(joined.radioId, from);
    timings["SmartStart provisioning to lock ready"] = Date.now() - t0;
    frames["SmartStart inclusion"] = net.simulation.simulator.frameCount() - f0;
    expect(pairing().smartStart!.list().find((e) => e.dsk === label.dsk)).toMatchObject({ radioId: joined.radioId });
    await expect(pairing().smartStart!.add("9001")).rejects.toMatchObject({ code: "invalid_qr_code" });
    expect(pairing().smartStart!.remove(label.dsk!)).toBe(true);
    expect(pairing().smartStart!.list().some((e) => e.dsk === label.dsk)).toBe(false);
    expect(pairing().smartStart!.remove(label.dsk!)).toBe(false);
  });

  it("measures a classic S2 inclusion from the button press to a usable lock", async () => {
    const lock = await includeWithPin(await newLock("Measured"), "S2 inclusion, press to lock ready");
    const t0 = Date.now();
    expect(await lock.writeSlot(1, "8642")).toMatchObject({ ok: true });
    timings["first code set"] = Date.now() - t0;
  });

  it("excludes a lock whose button is pressed during an exclusion", async () => {
    const target = net.driver.locks().find((l) => l.identity.name === "Shed")!;
    const rec = new PairingRecorder();
    await pairing().exclude!(rec.listener);
    const from = net.recorder.events.length;
    expect(await pairing().simulator!.pressButton({ radioId: target.identity.radioId })).toBe("left");
    expect((await rec.next("left")).radioId).toBe(target.identity.radioId);
    await net.recorder.waitFor((e) => e.type === "lock_removed" && e.radioId === target.identity.radioId, 5_000, from);
    // A lock from no network is reset all the same; nothing leaves this one.
    const rec2 = new PairingRecorder();
    await pairing().exclude!(rec2.listener);
    await pairing().simulator!.pressButton({ simId: (await newLock("Foreign")).simId });
    await rec2.next("closed");
    expect(rec2.types()).not.toContain("left");
  });

  it("a factory-new lock model (profile) joins as that model: its security, ids, device file and slots; a bad profile is refused", async () => {
    const label = await pairing().simulator!.newLock({ protocol: "zwave", name: "Kwikset at the shed", profile: "kwikset_910" });
    expect(label.dsk).toBeUndefined(); // an S0 model has no S2 label
    const rec = new PairingRecorder();
    await pairing().include({}, rec.listener);
    const from = net.recorder.events.length;
    expect(await pairing().simulator!.pressButton({ simId: label.simId })).toBe("joined");
    const joined = await rec.next("joined");
    expect(joined.granted).toEqual(["S0_Legacy"]);
    const { lock } = await readyEvent(joined.radioId, from);
    expect(lock.identity).toMatchObject({ manufacturer: "Kwikset", model: "910" });
    expect(lock.capabilities()).toMatchObject({ slotCount: 30, supportsChecksum: false });
    expect(await lock.writeSlot(30, "8642")).toEqual({ ok: true, proof: "readback" });
    await expect(pairing().simulator!.newLock({ protocol: "zwave", name: "Typo", profile: "kwikset_9100" })).rejects.toMatchObject({
      code: "unsupported",
      message: expect.stringMatching(/^profile: unknown profile "kwikset_9100"; known zwave profiles: schlage_be469zp/),
    });
  });

  it("removes only a failed lock; a live one needs an exclusion", async () => {
    const target = net.driver.locks().find((l) => l.identity.name === "Legacy")!;
    await expect(pairing().remove(target.identity.radioId)).rejects.toMatchObject({ code: "exclusion_required" });
    await net.simulation.simulator.disconnect(target.identity.radioId);
    const from = net.recorder.events.length;
    await pairing().remove(target.identity.radioId);
    await net.recorder.waitFor((e) => e.type === "lock_removed" && e.radioId === target.identity.radioId, 5_000, from);
  });

  it("replaces a failed lock under the same node id with a new lock", async () => {
    const old = net.driver.locks().find((l) => l.identity.name === "Garage")!;
    const radioId = old.identity.radioId;
    await expect(pairing().replace!(radioId, {}, () => undefined)).rejects.toMatchObject({ code: "not_failed" });
    await net.simulation.simulator.disconnect(radioId);
    const label = await newLock("Garage replacement");
    const rec = new PairingRecorder();
    const session = await pairing().replace!(radioId, {}, rec.listener);
    const from = net.recorder.events.length;
    expect(await pairing().simulator!.pressButton({ simId: label.simId })).toBe("replaced");
    await rec.next("pin_needed");
    session.providePin(label.pin!);
    const joined = await rec.next("joined");
    expect(joined.radioId).toBe(radioId);
    const { lock } = await readyEvent(radioId, from);
    expect(lock.identity.name).toBe("Garage replacement");
    // The new lock is empty; the hub programs its codes (agent/reconcile).
    expect(net.simulation.simulator.physicalSlots(radioId).every((s) => s.code === null)).toBe(true);
    expect(net.recorder.events.slice(from).some((e) => e.type === "lock_removed")).toBe(false);
    expect(await lock.writeSlot(1, "9753")).toMatchObject({ ok: true });
  });

  it("keeps paired locks, their keys and the provisioning list across a restart", async () => {
    const before = net.driver.locks().map((l) => l.identity.radioId).sort();
    // A lock provisioned but not powered yet (a made-up DSK: no simulated lock answers to it).
    const dsk = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff);
    const qr = smartStartQrCode({ dsk, requested: [SecurityClass.S2_AccessControl], genericDeviceClass: 0x40, specificDeviceClass: 0x03, installerIconType: 0x0300, manufacturerId: 1, productType: 2, productId: 3, applicationVersion: [1, 2] });
    const provisioned = await pairing().smartStart!.add(qr);
    secrets.add(provisioned.dsk);
    // Stopping right after an exclusion with SmartStart entries made zwave-js loop forever (zwave-js-quirks.ts).
    const exclusion = await pairing().exclude!(() => undefined);
    await exclusion.stop();
    const t0 = Date.now();
    await net.driver.stop();
    expect(Date.now() - t0).toBeLessThan(3_000);
    removeLeftoverCacheLocks(data.dir);
    net = simulatedZWave(data.dir, [FRONT]);
    await net.driver.start();
    const locks = await net.recorder.locksReady(before.length);
    expect(locks.map((l) => l.identity.radioId).sort()).toEqual(before);
    for (const lock of locks) expect(highestClass(lock.identity.radioId)).not.toBe(SecurityClass.None);
    const replacement = locks.find((l) => l.identity.name === "Garage replacement")!;
    expect(await replacement.readSlot(1)).toEqual({ slot: 1, code: "9753" });
    expect(pairing().smartStart!.list()).toEqual([{ dsk: provisioned.dsk, status: "active", securityClasses: ["S2_AccessControl"] }]);
  });
});
