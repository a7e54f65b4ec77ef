// Issue 13: Zigbee pairing through the contract's RadioPairing on the real zigbee-herdsman Controller and
// the simulated coordinator: permit join with its countdown and an explicit close, install codes, joins
// outside a window refused, removal by a leave request, and factory-new locks kept across a restart.
import { afterEach, describe, expect, test } from "vitest";
import type { RadioPairing, SimulatedLockLabel } from "../../drivers/contract.js";
import { PairingRecorder } from "../support/pairing-recorder.js";
import { ZigbeeHarness, zigbeeLock } from "../support/zigbee-harness.js";

let h: ZigbeeHarness | null = null;
const secrets = new Set<string>();

afterEach(async () => {
  const logs = h?.logText() ?? "";
  await h?.dispose();
  h = null;
  for (const secret of secrets) expect(logs, "an install code reached a log line").not.toContain(secret.split("|")[1]);
});

function pairing(): RadioPairing {
  const p = h?.driver?.pairing;
  if (!p?.simulator) throw new Error("no simulated pairing");
  return p;
}

async function newLock(name: string): Promise<SimulatedLockLabel> {
  const label = await pairing().simulator!.newLock({ protocol: "zigbee", name, slots: 8 });
  if (label.installCode) secrets.add(label.installCode);
  return label;
}

describe("Zigbee pairing", () => {
  test("a factory-new lock joins only while permit join is open; the window lists every join until it closes", async () => {
    h = new ZigbeeHarness([zigbeeLock({ name: "Front" })]);
    await h.start();
    const a = await newLock("Porch");
    expect(a.ieee).toMatch(/^0x[0-9a-f]{16}$/);
    expect(a.installCode).toMatch(/^[0-9a-f]{16}\|[0-9a-f]{36}$/);
    // Outside a window the coordinator does not take it.
    expect(await pairing().simulator!.pressButton({ simId: a.simId })).toBe("none");
    const rec = new PairingRecorder();
    const session = await pairing().include({ seconds: 30 }, rec.listener);
    const t0 = Date.now();
    expect(await pairing().simulator!.pressButton({ simId: a.simId })).toBe("joined");
    expect((await rec.next("joined")).radioId).toBe(`zigbee:${a.ieee}`);
    await h.nextEvent("lock_ready", (e) => e.lock.identity.radioId === `zigbee:${a.ieee}`);
    const framesToReady = h.simulator.frameCount(`zigbee:${a.ieee}`);
    const lock = h.lockNamed("Porch");
    expect((await lock.writeSlot(1, "4321")).ok).toBe(true);
    expect(framesToReady).toBeGreaterThan(0);
    console.info(`zigbee press_button to first code set (ms): ${Date.now() - t0}; frames from the join to lock_ready: ${framesToReady}`);
    const b = await newLock("Gate");
    expect(await pairing().simulator!.pressButton({ simId: b.simId })).toBe("joined");
    await h.nextEvent("lock_ready", (e) => e.lock.identity.radioId === `zigbee:${b.ieee}`);
    await session.stop();
    await rec.next("closed");
    const c = await newLock("Late");
    expect(await pairing().simulator!.pressButton({ simId: c.simId })).toBe("none");
    expect(h.driver!.locks().map((l) => l.identity.name).sort()).toEqual(["Front", "Gate", "Porch"]);
  });

  test("herdsman counts the window down and closes it", async () => {
    h = new ZigbeeHarness([]);
    await h.start();
    const rec = new PairingRecorder();
    await pairing().include({ seconds: 1 }, rec.listener);
    await rec.next("closed", 3_000);
    await expect(pairing().include({ seconds: 255 }, () => undefined)).rejects.toMatchObject({ code: "unsupported" });
  });

  test("a window opened with an install code admits that lock only, and only with its own code", async () => {
    h = new ZigbeeHarness([]);
    await h.start();
    const wanted = await newLock("Wanted");
    const other = await newLock("Other");
    const rec = new PairingRecorder();
    await pairing().include({ seconds: 30, installCode: wanted.installCode! }, rec.listener);
    expect(await pairing().simulator!.pressButton({ simId: other.simId })).toBe("refused");
    expect(await pairing().simulator!.pressButton({ simId: wanted.simId })).toBe("joined");
    await h.nextEvent("lock_ready", (e) => e.lock.identity.radioId === `zigbee:${wanted.ieee}`);
    await pairing().include({ seconds: 1 }, () => undefined).catch((e: unknown) => expect(e).toMatchObject({ code: "busy" }));

    // A mistyped code (one digit off): herdsman "fixes" its CRC, and the lock's own code no longer matches.
    const third = await newLock("Mistyped");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [ieeeHex, code] = third.installCode!.split("|") as [string, string];
    const wrong = `${ieeeHex}|${(code[0] === "0" ? "1" : "0") + code.slice(1)}`;
    await h.stop();
    await h.start();
    const rec2 = new PairingRecorder();
    await pairing().include({ seconds: 30, installCode: wrong }, rec2.listener);
    expect(await pairing().simulator!.pressButton({ simId: third.simId })).toBe("refused");
    await expect(pairing().include({ installCode: "nonsense" }, () => undefined)).rejects.toMatchObject({ code: "busy" });
  });

  test("a factory-new lock model (profile) joins as that model: genBasic identity, endpoint, slots; a Z-Wave profile is refused", async () => {
    h = new ZigbeeHarness([]);
    await h.start();
    const label = await pairing().simulator!.newLock({ protocol: "zigbee", name: "Nimly", profile: "nimly_pro_zigbee", slots: 12 });
    if (label.installCode) secrets.add(label.installCode);
    const rec = new PairingRecorder();
    await pairing().include({ seconds: 30 }, rec.listener);
    expect(await pairing().simulator!.pressButton({ simId: label.simId })).toBe("joined");
    const { lock } = await h.nextEvent("lock_ready", (e) => e.lock.identity.radioId === `zigbee:${label.ieee}`);
    expect(lock.identity).toMatchObject({ manufacturer: "Onesti Products AS", model: "NimlyPRO" });
    // The request's slots override the model's 999.
    expect(lock.capabilities()).toMatchObject({ slotCount: 12, readback: "digits" });
    expect(await lock.writeSlot(12, "8642")).toEqual({ ok: true, proof: "readback" });
    await expect(pairing().simulator!.newLock({ protocol: "zigbee", name: "Wrong radio", profile: "kwikset_910" })).rejects.toMatchObject({
      code: "unsupported",
      message: expect.stringMatching(/"kwikset_910" is a zwave profile; known zigbee profiles: /),
    });
  });

  test("refuses an unreadable install code without echoing it", async () => {
    h = new ZigbeeHarness([]);
    await h.start();
    const error = await pairing()
      .include({ installCode: "0123|zz" }, () => undefined)
      .catch((e: unknown) => e as Error & { code: string });
    expect(error).toMatchObject({ code: "invalid_install_code" });
    expect((error as Error).message).not.toContain("zz");
  });

  test("removal tells the lock to leave (lock_removed); paired locks stay paired across a restart", async () => {
    h = new ZigbeeHarness([]);
    await h.start();
    const a = await newLock("Kept");
    const b = await newLock("Removed");
    const session = await pairing().include({ seconds: 30 }, () => undefined);
    for (const label of [a, b]) {
      await pairing().simulator!.pressButton({ simId: label.simId });
      await h.nextEvent("lock_ready", (e) => e.lock.identity.radioId === `zigbee:${label.ieee}`);
    }
    await session.stop();
    expect((await h.lockNamed("Kept").writeSlot(2, "5678")).ok).toBe(true);
    await pairing().remove(`zigbee:${b.ieee}`);
    await h.nextEvent("lock_removed", (e) => e.radioId === `zigbee:${b.ieee}`);
    await h.restart();
    expect(h.driver!.locks().map((l) => l.identity.name)).toEqual(["Kept"]);
    expect(h.simulator.physicalSlots(`zigbee:${a.ieee}`)[1]).toEqual({ slot: 2, code: "5678" });
    // The removed lock is factory-new again: it needs a window to come back.
    expect(await pairing().simulator!.pressButton({ simId: b.simId })).toBe("none");
  });
});
