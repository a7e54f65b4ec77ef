// The driver contract on every real lock model of the catalogue (drivers/sim/profiles, protocol.md §9), as
// each model really is: its identity as the radio reports it, its real slot count (the last slot), how a
// write and a clear are proven, read-back (digits or masked), keypad changes. One simulated network per
// radio holds one lock of each of its profiles. The whole contract suite runs on each model's locks in
// contract-zwave-models.test.ts and contract-zigbee-models.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LockHandle, SimulatedLockConfig } from "../../drivers/contract.js";
import { withProfileDefaults, type LockModelProfile } from "../../drivers/sim/profiles/index.js";
import { ZIGBEE_PROFILES } from "../../drivers/sim/profiles/zigbee.js";
import { ZWAVE_PROFILES } from "../../drivers/sim/profiles/zwave.js";
import type { ZigbeeLockSimulator } from "../../drivers/zigbee/sim/network.js";
import { profileVariant, type ContractVariant } from "../support/contract-variants.js";
import { zigbeeHarness, zwaveHarness, type DriverHarness, type RunningDriver } from "../support/driver-harness.js";

function lockFor(profile: LockModelProfile): Omit<SimulatedLockConfig, "protocol"> {
  const { protocol: _protocol, ...rest } = { ...withProfileDefaults(profile.protocol, profile.profile, {}), protocol: profile.protocol };
  return { ...rest, name: profile.profile, profile: profile.profile };
}

describe.each([
  ["zwave", zwaveHarness, ZWAVE_PROFILES],
  ["zigbee", zigbeeHarness, ZIGBEE_PROFILES],
] as const)("driver contract per lock model on %s", (_radio, harness: DriverHarness, profiles: readonly LockModelProfile[]) => {
  let rig: RunningDriver;
  const expected = new Map<string, ContractVariant>();
  const lock = (profile: LockModelProfile): LockHandle => rig.lock(profile.profile);
  const commandCount = (handle: LockHandle): number | null => {
    const sim = rig.simulator as Partial<ZigbeeLockSimulator>;
    return sim.commandCount ? sim.commandCount(handle.identity.radioId) : null;
  };
  const cases = profiles.map((p) => [p.profile, p] as const);

  beforeAll(async () => {
    for (const p of profiles) expected.set(p.profile, await profileVariant(harness, p));
    rig = await harness.start(profiles.map(lockFor));
  }, 120_000);

  afterAll(async () => {
    const logs = rig?.logText() ?? "";
    await rig?.dispose();
    for (const pin of ["4821", "0042", "97531", "2580", "6142"]) expect(logs, `PIN ${pin} reached a log line`).not.toMatch(new RegExp(`(?<![0-9])${pin}(?![0-9])`));
  });

  it.each(cases)("%s: identity as the radio reports it, and the model's capabilities", (_name, profile) => {
    const want = expected.get(profile.profile)!.expect;
    const d = profile.defaults;
    const handle = lock(profile);
    const { protocol, manufacturer, model, simulated, isBattery } = handle.identity;
    expect({ protocol, manufacturer, model, simulated, isBattery }).toEqual({ protocol: harness.protocol, ...expected.get(profile.profile)!.identity, simulated: true, isBattery: d.battery });
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
      const want = expected.get(profile.profile)!.expect;
      const handle = lock(profile);
      const last = profile.defaults.slots;
      const first = await handle.writeSlot(1, "4821");
      expect(first).toMatchObject({ ok: true });
      expect(want.firstWriteProofs).toContain(first.ok ? first.proof : null);
      expect(rig.physical(handle, 1)).toBe("4821");
      const commandsBefore = commandCount(handle);
      const later = await handle.writeSlot(last, "97531");
      expect(want.laterWriteProofs).toContain(later.ok ? later.proof : later);
      // Zigbee counts the coordinator's commands: setPinCode, and a read-back only where no event proves it. A
      // scheduling lock needs no schedule cleared: the hub never gave this slot one (test/drivers/zigbee.test.ts).
      if (commandsBefore !== null) {
        const expectedCommands = 1 + (want.laterWriteProof === "readback" ? 1 : 0);
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
    const want = expected.get(profile.profile)!.expect;
    const handle = lock(profile);
    const radioId = handle.identity.radioId;
    const from = rig.mark();
    await rig.simulator.keypadSetCode(radioId, 2, "0042");
    const changed = await rig.nextEvent("slot_changed", radioId, from);
    expect(changed).toMatchObject({ slot: 2, cause: "keypad_added" });
    if (want.keypadReportCarriesCode) expect(changed.code).toBe("0042");
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
