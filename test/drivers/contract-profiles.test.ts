// The driver contract on every real lock model of the catalogue (drivers/sim/profiles, protocol.md §9):
// the cases that concern what the models differ in — identity as the radio reports it, capabilities,
// the last slot, how a write and a clear are proven, read-back (digits or masked), keypad changes.
// One simulated network per radio holds one lock of each of its profiles. The full contract suite runs
// on the default locks in contract.test.ts.
import { ConfigManager } from "@zwave-js/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LockHandle, SimulatedLockConfig, WriteProof } from "../../drivers/contract.js";
import { withProfileDefaults, type LockModelProfile } from "../../drivers/sim/profiles/index.js";
import { ZIGBEE_PROFILES } from "../../drivers/sim/profiles/zigbee.js";
import { ZWAVE_PROFILES } from "../../drivers/sim/profiles/zwave.js";
import type { ZigbeeLockSimulator } from "../../drivers/zigbee/sim/network.js";
import { zigbeeHarness, zwaveHarness, type DriverHarness, type RunningDriver } from "../support/driver-harness.js";

const SUPERVISION_CC = 0x6c;

/** What the radio must show for a profile: derived from the profile's facts and (Z-Wave) its device file. */
interface Expected {
  readonly manufacturer: string;
  readonly model: string;
  /**
   * Proofs the first write may show, and the proof of writes once the driver knows the lock. A Zigbee lock's
   * RF event may already teach the driver during its first write (it follows the response at once).
   */
  readonly firstProofs: readonly WriteProof[];
  readonly laterProof: WriteProof;
  readonly masked: boolean;
  /** The keypad report carries the digits. */
  readonly keypadCarriesCode: boolean;
}

async function expectationsFor(profile: LockModelProfile, configs: ConfigManager): Promise<Expected> {
  const masked = profile.defaults.masked_readback;
  if (profile.protocol === "zigbee") {
    const z = profile.zigbee;
    const afterEvent: WriteProof = masked ? "status" : "notification";
    // The first write is read back (or proven by status when digits are hidden); the lock's RF event teaches the driver.
    const firstProof: WriteProof = masked ? "status" : "readback";
    const laterProof = z.programmingEventOnRfChange ? afterEvent : firstProof;
    return { manufacturer: z.manufacturerName, model: z.modelId, firstProofs: [...new Set([firstProof, laterProof])], laterProof, masked, keypadCarriesCode: !masked };
  }
  const z = profile.zwave;
  const device = await configs.lookupDevice(z.manufacturerId, z.productType, z.productId);
  if (!device) throw new Error(`${profile.profile}: no zwave-js device file`);
  // A device file can take Supervision away from a lock that lists it (compat.removeCCs).
  const removed = device.compat?.removeCCs?.has(SUPERVISION_CC) === true;
  const proof: WriteProof = z.supervision && !removed ? "supervision" : masked ? "status" : "readback";
  // Unsupervised: a lock that reports its RF writes ("new user code added") is proven by that report once the
  // driver heard one (which may already be during the first write).
  const laterProof: WriteProof = proof === "readback" && z.reportsRfWrites ? "notification" : proof;
  return { manufacturer: device.manufacturer, model: device.label, firstProofs: [...new Set([proof, laterProof])], laterProof, masked, keypadCarriesCode: false };
}

function lockFor(profile: LockModelProfile): Omit<SimulatedLockConfig, "protocol"> {
  const { protocol: _protocol, ...rest } = { ...withProfileDefaults(profile.protocol, profile.profile, {}), protocol: profile.protocol };
  return { ...rest, name: profile.profile, profile: profile.profile };
}

const configs = new ConfigManager();

describe.each([
  ["zwave", zwaveHarness, ZWAVE_PROFILES],
  ["zigbee", zigbeeHarness, ZIGBEE_PROFILES],
] as const)("driver contract per lock model on %s", (_radio, harness: DriverHarness, profiles: readonly LockModelProfile[]) => {
  let rig: RunningDriver;
  const expected = new Map<string, Expected>();
  const lock = (profile: LockModelProfile): LockHandle => rig.lock(profile.profile);
  const commandCount = (handle: LockHandle): number | null => {
    const sim = rig.simulator as Partial<ZigbeeLockSimulator>;
    return sim.commandCount ? sim.commandCount(handle.identity.radioId) : null;
  };
  const cases = profiles.map((p) => [p.profile, p] as const);

  beforeAll(async () => {
    await configs.loadAll();
    for (const p of profiles) expected.set(p.profile, await expectationsFor(p, configs));
    rig = await harness.start(profiles.map(lockFor));
  }, 120_000);

  afterAll(async () => {
    const logs = rig?.logText() ?? "";
    await rig?.dispose();
    for (const pin of ["4821", "0042", "97531", "2580", "6142"]) expect(logs, `PIN ${pin} reached a log line`).not.toMatch(new RegExp(`(?<![0-9])${pin}(?![0-9])`));
  });

  it.each(cases)("%s: identity as the radio reports it, and the model's capabilities", (_name, profile) => {
    const want = expected.get(profile.profile)!;
    const d = profile.defaults;
    const handle = lock(profile);
    const { protocol, manufacturer, model, simulated, isBattery } = handle.identity;
    expect({ protocol, manufacturer, model, simulated, isBattery }).toEqual({ protocol: harness.protocol, manufacturer: want.manufacturer, model: want.model, simulated: true, isBattery: d.battery });
    const { multiCodeWrite, ...caps } = handle.capabilities();
    expect(caps).toEqual({
      slotCount: d.slots,
      codeLengths: d.code_lengths,
      charset: "0123456789",
      supportsChecksum: d.checksum,
      supportsNativeSchedule: d.native_scheduling,
      readback: want.masked ? "status_only" : "digits",
    });
    // A multi-code lock takes several codes per Extended User Code Set (the batching of issue 15).
    expect(multiCodeWrite !== undefined).toBe(d.multi_code);
  });

  it.each(cases)("%s: write, read and clear, proven as the model allows; the last slot too", (_name, profile) => {
    return (async () => {
      const want = expected.get(profile.profile)!;
      const handle = lock(profile);
      const last = profile.defaults.slots;
      const first = await handle.writeSlot(1, "4821");
      expect(first).toMatchObject({ ok: true });
      expect(want.firstProofs).toContain(first.ok ? first.proof : null);
      expect(rig.physical(handle, 1)).toBe("4821");
      const commandsBefore = commandCount(handle);
      expect(await handle.writeSlot(last, "97531")).toEqual({ ok: true, proof: want.laterProof });
      // Zigbee counts the coordinator's commands: setPinCode, and a read-back only where no event proves it. A
      // scheduling lock needs no schedule cleared: the hub never gave this slot one (test/drivers/zigbee.test.ts).
      if (commandsBefore !== null) {
        const expectedCommands = 1 + (want.laterProof === "readback" ? 1 : 0);
        expect(commandCount(handle)! - commandsBefore).toBe(expectedCommands);
      }
      expect(rig.physical(handle, last)).toBe("97531");
      expect(await handle.readSlot(1)).toEqual({ slot: 1, code: want.masked ? undefined : "4821" });
      expect(await handle.clearSlot(last)).toMatchObject({ ok: true });
      expect(rig.physical(handle, last)).toBeNull();
      expect(await handle.readSlot(last)).toEqual({ slot: last, code: null });
      expect(await handle.writeSlot(last + 1, "2580")).toMatchObject({ ok: false, failure: "rejected" });
      // The hub's own changes are never news.
      expect(rig.eventsSince(0, "slot_changed", handle.identity.radioId)).toEqual([]);
    })();
  });

  // Z-Wave models that report by Alarm (yale_yrd226_zw2) reach the hub through their device file's alarm
  // mapping; test/drivers/zwave-alarm-profile.test.ts checks the frames such a lock sends.
  it.each(cases)("%s: a keypad unlock with a slot's code is lock_operation unlocked by keycode with that slot", async (_name, profile) => {
    const handle = lock(profile);
    const radioId = handle.identity.radioId;
    expect(await handle.writeSlot(4, "6142")).toMatchObject({ ok: true });
    const from = rig.mark();
    expect(await rig.simulator.keypadUnlock(radioId, "6142")).toEqual({ unlocked: true, slot: 4 });
    expect(await rig.nextEvent("lock_operation", radioId, from)).toEqual({ type: "lock_operation", radioId, action: "unlocked", method: "keycode", slot: 4 });
    await rig.waitFor(() => handle.lockState().locked === false, 3000, "unlocked by the keypad");
    expect(await handle.clearSlot(4)).toMatchObject({ ok: true });
  });

  it.each(cases)("%s: a keypad change reaches the hub as the model reports it", async (_name, profile) => {
    const want = expected.get(profile.profile)!;
    const handle = lock(profile);
    const radioId = handle.identity.radioId;
    const from = rig.mark();
    await rig.simulator.keypadSetCode(radioId, 2, "0042");
    const changed = await rig.nextEvent("slot_changed", radioId, from);
    expect(changed).toMatchObject({ slot: 2, cause: "keypad_added" });
    if (want.keypadCarriesCode) expect(changed.code).toBe("0042");
    else expect(changed).not.toHaveProperty("code");
    expect(await handle.readSlot(2)).toEqual({ slot: 2, code: want.masked ? undefined : "0042" });
    const deleted = rig.mark();
    await rig.simulator.keypadClearCode(radioId, 2);
    const gone = await rig.nextEvent("slot_changed", radioId, deleted);
    expect(gone).toMatchObject({ slot: 2, cause: "keypad_deleted" });
    if ("code" in gone) expect(gone.code).toBeNull();
    expect(rig.physical(handle, 2)).toBeNull();
  });
});
