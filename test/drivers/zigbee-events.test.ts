// Translation of unsolicited Door Lock traffic into DriverEvents, on payloads shaped as herdsman decodes them.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type { DriverEvent } from "../../drivers/contract.js";
import { INFER_AFTER_MS } from "../../drivers/lock-reports.js";
import { ZigbeeDoor } from "../../drivers/zigbee/door-control.js";
import { LockEvents, type LockMessage } from "../../drivers/zigbee/lock-events.js";
import type { ZigbeeLockHandle } from "../../drivers/zigbee/lock-handle.js";
import type { LockProfile } from "../../drivers/zigbee/profile-store.js";

const radioId = "zigbee:0x0011223344556677";

interface Seen {
  events: DriverEvent[];
  battery: number[];
  alarms: number;
}

function setup(ownChanges: readonly number[] = []): { seen: Seen; send: (m: LockMessage) => void; echoes: Array<{ slot: number; pin: string | null; deleted: boolean }> } {
  const seen: Seen = { events: [], battery: [], alarms: 0 };
  const echoes: Array<{ slot: number; pin: string | null; deleted: boolean }> = [];
  let profile = { doorSensor: undefined } as unknown as LockProfile;
  const door = new ZigbeeDoor(radioId, (e) => seen.events.push(e), () => profile, (change) => (profile = { ...profile, ...change }));
  // Only what LockEvents touches on the handle.
  const handle = {
    identity: { radioId },
    door,
    capabilities: () => ({ slotCount: 30 }),
    noteBattery: (level: number) => seen.battery.push(level),
    noteDuplicateAlarm: () => {
      seen.alarms++;
    },
    // The handle claims an RF event as its own write's echo only for the slots it just changed.
    noteRfProgramming: (slot: number, change: { pin: string | null; deleted: boolean }) => {
      if (!ownChanges.includes(slot)) return false;
      echoes.push({ slot, ...change });
      return true;
    },
  } as unknown as ZigbeeLockHandle;
  const translator = new LockEvents(handle, (e) => seen.events.push(e));
  return { seen, send: (m) => translator.handle(m), echoes };
}

const programming = (data: Record<string, unknown>): LockMessage => ({ type: "commandProgrammingEventNotification", cluster: "closuresDoorLock", data });
const operation = (data: Record<string, unknown>): LockMessage => ({ type: "commandOperationEventNotification", cluster: "closuresDoorLock", data });

describe("programming event notifications", () => {
  test("keypad add with digits, rf change without, delete, delete-all (user id 0xFFFF decodes as NaN), master code ignored", () => {
    const t = setup();
    t.send(programming({ programeventsrc: 0, programeventcode: 2, userid: 4, pin: Buffer.from("0042"), usertype: 0, userstatus: 1 }));
    t.send(programming({ programeventsrc: 1, programeventcode: 4, userid: 5, pin: Buffer.alloc(0), usertype: 0, userstatus: 1 }));
    t.send(programming({ programeventsrc: 0, programeventcode: 3, userid: 4, pin: Buffer.alloc(0), usertype: Number.NaN, userstatus: 0 }));
    t.send(programming({ programeventsrc: 0, programeventcode: 3, userid: Number.NaN, pin: Buffer.alloc(0) }));
    t.send(programming({ programeventsrc: 0, programeventcode: 1, userid: 0, pin: Buffer.from("1234") }));
    t.send(programming({ programeventsrc: 0, programeventcode: 2, userid: 31, pin: Buffer.from("1234") }));
    expect(t.seen.events).toEqual([
      { type: "slot_changed", radioId, slot: 4, code: "0042", cause: "keypad_added" },
      { type: "slot_changed", radioId, slot: 5, cause: "report" },
      { type: "slot_changed", radioId, slot: 4, code: null, cause: "keypad_deleted" },
      { type: "all_slots_cleared", radioId },
    ]);
  });

  test("an RF event for a slot the hub just changed is that write's proof, not news; keypad events for it still are", () => {
    const t = setup([6, 7]);
    t.send(programming({ programeventsrc: 1, programeventcode: 2, userid: 6, pin: Buffer.from("4821"), usertype: 0, userstatus: 1 }));
    t.send(programming({ programeventsrc: 1, programeventcode: 3, userid: 7, pin: Buffer.alloc(0), usertype: 0, userstatus: 0 }));
    t.send(programming({ programeventsrc: 0, programeventcode: 4, userid: 6, pin: Buffer.from("9999"), usertype: 0, userstatus: 1 }));
    expect(t.echoes).toEqual([
      { slot: 6, pin: "4821", deleted: false },
      { slot: 7, pin: null, deleted: true },
    ]);
    expect(t.seen.events).toEqual([{ type: "slot_changed", radioId, slot: 6, code: "9999", cause: "keypad_added" }]);
  });
});

const only = (events: DriverEvent[], ...types: Array<DriverEvent["type"]>) => events.filter((e) => types.includes(e.type));

describe("operations", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test("sources map to methods; refusals are access_denied; a lockState report right after is not a second one", () => {
    const t = setup();
    t.send(operation({ opereventsrc: 0, opereventcode: 2, userid: 7 }));
    t.send({ type: "attributeReport", cluster: "closuresDoorLock", data: { lockState: 2 } });
    t.send(operation({ opereventsrc: 1, opereventcode: 1, userid: Number.NaN }));
    t.send(operation({ opereventsrc: 2, opereventcode: 14, userid: 0 }));
    t.send(operation({ opereventsrc: 0xff, opereventcode: 10, userid: 0 }));
    t.send(operation({ opereventsrc: 0, opereventcode: 5, userid: 0 }));
    t.send(operation({ opereventsrc: 0, opereventcode: 6, userid: 9 }));
    t.send(operation({ opereventsrc: 0, opereventcode: 7, userid: Number.NaN }));
    t.send({ type: "readResponse", cluster: "closuresDoorLock", data: { lockState: 2 } });
    t.send({ type: "attributeReport", cluster: "closuresDoorLock", data: { lockState: 2 } });
    // A bolt change seen only in a report waits briefly for a notification naming its method.
    expect(only(t.seen.events, "lock_operation").at(-1)).toMatchObject({ action: "locked", method: "manual" });
    vi.advanceTimersByTime(INFER_AFTER_MS);
    expect(only(t.seen.events, "lock_operation", "access_denied")).toEqual([
      { type: "lock_operation", radioId, action: "unlocked", method: "keycode", slot: 7 },
      { type: "lock_operation", radioId, action: "locked", method: "remote", slot: null },
      { type: "lock_operation", radioId, action: "unlocked", method: "manual", slot: null },
      { type: "lock_operation", radioId, action: "locked", method: "automatic", slot: null },
      { type: "access_denied", radioId, slot: null },
      { type: "access_denied", radioId, slot: 9 },
      // One-touch: the keypad's lock button.
      { type: "lock_operation", radioId, action: "locked", method: "manual", slot: null },
      { type: "lock_operation", radioId, action: "unlocked", method: "unknown", slot: null },
    ]);
    expect(only(t.seen.events, "lock_state").map((e) => (e.type === "lock_state" ? e.state.locked : "-"))).toEqual([false, true, false, true, false]);
  });

  test("a lockState report before the notification of the same operation is one operation, with the notification's method", () => {
    const t = setup();
    t.send({ type: "attributeReport", cluster: "closuresDoorLock", data: { lockState: 1, doorState: 1 } });
    t.send({ type: "attributeReport", cluster: "closuresDoorLock", data: { lockState: 2 } });
    t.send(operation({ opereventsrc: 2, opereventcode: 2, userid: Number.NaN }));
    vi.advanceTimersByTime(INFER_AFTER_MS * 2);
    expect(only(t.seen.events, "lock_operation")).toEqual([{ type: "lock_operation", radioId, action: "unlocked", method: "manual", slot: null }]);
  });

  test("doorState reports are the door sensor: lock_state doorOpen; jammed/forced states say nothing about the door", () => {
    const t = setup();
    t.send({ type: "attributeReport", cluster: "closuresDoorLock", data: { lockState: 1, doorState: 1 } });
    t.send({ type: "attributeReport", cluster: "closuresDoorLock", data: { doorState: 0 } });
    t.send({ type: "attributeReport", cluster: "closuresDoorLock", data: { doorState: 2 } });
    expect(only(t.seen.events, "lock_state").map((e) => (e.type === "lock_state" ? e.state : null))).toEqual([
      { locked: true, doorOpen: false },
      { locked: true, doorOpen: true },
      { locked: true, doorOpen: null },
    ]);
    vi.advanceTimersByTime(INFER_AFTER_MS);
    expect(only(t.seen.events, "lock_operation")).toEqual([]);
  });
});

describe("alarms and battery", () => {
  test("genAlarms 113 is a refused duplicate; battery is half-percent, 0xFF (NaN) ignored", () => {
    const t = setup();
    t.send({ type: "commandAlarm", cluster: "genAlarms", data: { alarmcode: 113, clusterid: 257 } });
    t.send({ type: "commandAlarm", cluster: "genAlarms", data: { alarmcode: 21, clusterid: 257 } });
    t.send({ type: "attributeReport", cluster: "genPowerCfg", data: { batteryPercentageRemaining: 151 } });
    t.send({ type: "attributeReport", cluster: "genPowerCfg", data: { batteryPercentageRemaining: Number.NaN } });
    expect(t.seen.events).toEqual([{ type: "duplicate_refused", radioId, slot: null }]);
    expect(t.seen.alarms).toBe(1);
    expect(t.seen.battery).toEqual([76]);
  });

  test("Door Lock alarms: wrong-code limit is a keypad lockout, escutcheon and forced door are tampering; a jam is neither", () => {
    const t = setup();
    for (const alarmcode of [4, 5, 6, 0, 1]) t.send({ type: "commandAlarm", cluster: "genAlarms", data: { alarmcode, clusterid: 257 } });
    expect(t.seen.events).toEqual([
      { type: "tampered", radioId, cause: "keypad_lockout" },
      { type: "tampered", radioId, cause: "tamper" },
      { type: "tampered", radioId, cause: "tamper" },
    ]);
  });

  test("Power Configuration battery alarms (0x10-0x13) are battery_low; mains alarms are not", () => {
    const t = setup();
    for (const alarmcode of [0x10, 0x13, 0x00, 0x14]) t.send({ type: "commandAlarm", cluster: "genAlarms", data: { alarmcode, clusterid: 1 } });
    expect(t.seen.events).toEqual([
      { type: "battery_low", radioId },
      { type: "battery_low", radioId },
    ]);
  });
});
