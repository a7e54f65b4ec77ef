// The Yale YRD226 (ZW2) profile reports by old Alarm reports (Notification CC v1), as the real lock does:
// the simulated lock sends Yale's alarm types and zwave-js maps them through the model's device file
// (0x0129/yrc_yrd_226_246_256_446-zw2.json, compat.alarmMapping) to the notifications the hub turns into
// the contract's events. Each case also checks the frame the lock sent, so a fallback to Notification v8
// frames fails here. Keypad code changes are mapped by no device file and stay Notification reports.
import { MockZWaveFrameType, type MockNode, type MockZWaveFrame } from "@zwave-js/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommandClass, NotificationCCReport } from "zwave-js";
import type { DriverEvent, LockHandle } from "../../drivers/contract.js";
import { withProfileDefaults, zwaveProfile } from "../../drivers/sim/profiles/index.js";
import { ACCESS_CONTROL, AccessControlEvent } from "../../drivers/zwave/notifications.js";
import { simLock, simulatedZWave, tempDataDir, type SimulatedZWave } from "../support/zwave-harness.js";

const PROFILE = "yale_yrd226_zw2";
const YALE = simLock({ ...withProfileDefaults("zwave", PROFILE, {}), name: "Yale", profile: PROFILE, auto_relock_s: 1 });
const ALARMS = zwaveProfile(PROFILE)!.zwave.alarmReports!;

let data: { dir: string; cleanup: () => Promise<void> };
let net: SimulatedZWave;
let lock: LockHandle;
let radioId: string;

beforeAll(async () => {
  data = await tempDataDir();
  net = simulatedZWave(data.dir, [YALE]);
  await net.driver.start();
  const [ready] = await net.recorder.locksReady(1, 60_000);
  if (!ready) throw new Error("the Yale lock did not become ready");
  lock = ready;
  radioId = lock.identity.radioId;
}, 90_000);

afterAll(async () => {
  await net?.driver.stop();
  await data?.cleanup();
});

const sim = () => {
  const s = net.driver.simulator;
  if (!s) throw new Error("not simulated");
  return s;
};

function mockNode(): MockNode {
  const node = net.simulation.lock(radioId).mockNode;
  if (!node) throw new Error("the Yale lock has no mock node");
  return node;
}

/** The Notification CC Report inside a frame the lock sent (S0-encapsulated), if it is one. */
function sentReport(frame: MockZWaveFrame): NotificationCCReport | undefined {
  if (frame.type !== MockZWaveFrameType.Request) return undefined;
  let cc: unknown = frame.payload;
  while (cc instanceof CommandClass && !(cc instanceof NotificationCCReport)) cc = (cc as { encapsulated?: unknown }).encapsulated;
  return cc instanceof NotificationCCReport ? cc : undefined;
}

/** What the alarm mapping stands in for: no Access Control report of these may come from the lock. */
const MAPPED_EVENTS: ReadonlySet<number> = new Set([
  AccessControlEvent.ManualLock,
  AccessControlEvent.ManualUnlock,
  AccessControlEvent.RfLock,
  AccessControlEvent.RfUnlock,
  AccessControlEvent.KeypadLock,
  AccessControlEvent.KeypadUnlock,
  AccessControlEvent.AutoLock,
  AccessControlEvent.LockJammed,
  AccessControlEvent.CodeLimitExceeded,
]);

/** The lock sent this alarm (type and level, no notification type), and no Notification report of a mapped event. */
function expectAlarmSent(alarmType: number, alarmLevel: number): void {
  const node = mockNode();
  node.assertSentControllerFrame(
    (f) => {
      const r = sentReport(f);
      return r?.alarmType === alarmType && r.alarmLevel === alarmLevel && r.notificationType === undefined;
    },
    { errorMessage: `the lock sent no alarm report ${alarmType}/${alarmLevel}` },
  );
  node.assertSentControllerFrame(
    (f) => {
      const r = sentReport(f);
      return r?.notificationType === ACCESS_CONTROL && MAPPED_EVENTS.has(r.notificationEvent ?? -1);
    },
    { noMatch: true, errorMessage: "the lock sent a Notification v8 report of a lock operation" },
  );
}

const since = (from: number, type: DriverEvent["type"], match: (e: DriverEvent) => boolean = () => true) =>
  net.recorder.waitFor((e) => e.type === type && "radioId" in e && e.radioId === radioId && match(e), 5_000, from);

describe("Yale YRD226 (ZW2) profile: lock events as alarm reports, mapped by its device file", () => {
  it("lists Notification CC version 1, and zwave-js loaded the model's alarm mapping", () => {
    expect(mockNode().implementedCCs.get(0x71)?.version).toBe(1);
    const node = net.simulation.driver().controller.nodes.get(mockNode().id);
    expect(node?.deviceConfig?.compat?.alarmMapping?.some((m) => m.from.alarmType === ALARMS.keypadUnlock.alarmType)).toBe(true);
  });

  it("keypad unlock with a slot's code: lock_operation unlocked by keycode with that slot, then the auto relock", async () => {
    expect(await lock.writeSlot(3, "4682")).toMatchObject({ ok: true });
    mockNode().clearSentControllerFrames();
    const from = net.recorder.events.length;
    expect(await sim().keypadUnlock(radioId, "4682")).toEqual({ unlocked: true, slot: 3 });
    expect(await since(from, "lock_operation")).toEqual({ type: "lock_operation", radioId, action: "unlocked", method: "keycode", slot: 3 });
    expectAlarmSent(ALARMS.keypadUnlock.alarmType, 3);
    expect(await since(from, "lock_operation", (e) => e.type === "lock_operation" && e.action === "locked")).toEqual({
      type: "lock_operation",
      radioId,
      action: "locked",
      method: "automatic",
      slot: null,
    });
    expectAlarmSent(ALARMS.autoLock.alarmType, ALARMS.autoLock.alarmLevel!);
    await expect.poll(() => lock.lockState().locked).toBe(true);
  });

  it("thumb turn and the keypad's lock button: lock_operation manual, and the state follows", async () => {
    mockNode().clearSentControllerFrames();
    const from = net.recorder.events.length;
    await sim().turnThumbTurn(radioId, false);
    expect(await since(from, "lock_operation")).toEqual({ type: "lock_operation", radioId, action: "unlocked", method: "manual", slot: null });
    expectAlarmSent(ALARMS.manualUnlock.alarmType, ALARMS.manualUnlock.alarmLevel!);
    await expect.poll(() => lock.lockState().locked).toBe(false);
    const turned = net.recorder.events.length;
    await sim().turnThumbTurn(radioId, true);
    expect(await since(turned, "lock_operation")).toEqual({ type: "lock_operation", radioId, action: "locked", method: "manual", slot: null });
    expectAlarmSent(ALARMS.manualLock.alarmType, ALARMS.manualLock.alarmLevel!);
    mockNode().clearSentControllerFrames();
    await sim().turnThumbTurn(radioId, false);
    await expect.poll(() => lock.lockState().locked).toBe(false);
    const pressed = net.recorder.events.length;
    await sim().pressKeypadLock(radioId);
    expect(await since(pressed, "lock_operation")).toEqual({ type: "lock_operation", radioId, action: "locked", method: "manual", slot: null });
    expectAlarmSent(ALARMS.keypadButtonLock.alarmType, ALARMS.keypadButtonLock.alarmLevel!);
    await expect.poll(() => lock.lockState().locked).toBe(true);
  });

  it("remote unlock: lock_operation remote from the lock's RF alarm", async () => {
    mockNode().clearSentControllerFrames();
    const from = net.recorder.events.length;
    expect(await lock.setLocked(false)).toMatchObject({ ok: true });
    expect(await since(from, "lock_operation")).toEqual({ type: "lock_operation", radioId, action: "unlocked", method: "remote", slot: null });
    expectAlarmSent(ALARMS.rfUnlock.alarmType, ALARMS.rfUnlock.alarmLevel!);
    await since(from, "lock_operation", (e) => e.type === "lock_operation" && e.action === "locked");
  });

  it("too many wrong codes: tampered keypad_lockout from the lock's alarm 161", async () => {
    mockNode().clearSentControllerFrames();
    const from = net.recorder.events.length;
    for (let i = 0; i < 5; i++) await sim().keypadUnlock(radioId, "2718");
    expect(await since(from, "tampered")).toEqual({ type: "tampered", radioId, cause: "keypad_lockout" });
    expectAlarmSent(ALARMS.keypadLockout.alarmType, ALARMS.keypadLockout.alarmLevel!);
  });

  it("a low battery: battery_low from the lock's alarm 167 (level = the battery %)", async () => {
    mockNode().clearSentControllerFrames();
    const from = net.recorder.events.length;
    await sim().setBatteryLevel(radioId, 15);
    expect(await since(from, "battery_low")).toEqual({ type: "battery_low", radioId });
    expectAlarmSent(ALARMS.lowBattery.alarmType, 15);
  });

  it("a keypad code change (mapped by no device file) still arrives as the Access Control notification", async () => {
    mockNode().clearSentControllerFrames();
    const from = net.recorder.events.length;
    await sim().keypadSetCode(radioId, 5, "13579");
    expect(await since(from, "slot_changed")).toMatchObject({ slot: 5, cause: "keypad_added" });
    mockNode().assertSentControllerFrame((f) => sentReport(f)?.notificationEvent === AccessControlEvent.NewUserCodeAdded);
  });
});
