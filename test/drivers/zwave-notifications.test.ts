// The mapping from what zwave-js reports to DriverEvents, without a radio, plus the schedule encoding.
import { describe, expect, it } from "vitest";
import {
  batteryValueToEvent,
  notificationToEvent,
  notificationValueToEvent,
  readableCode,
  userCodeValueToEvent,
} from "../../drivers/zwave/notifications.js";
import { isInsideYearDay, toYearDaySchedule, yearDayWindow } from "../../drivers/zwave/schedule.js";
import { radioIdOf } from "../../drivers/zwave/backend.js";
import { simulatedHomeId } from "../../drivers/zwave/sim/network.js";

const ID = "zwave:0badcafe:2";

describe("Access Control notifications", () => {
  it.each([
    [0x01, "locked", "manual", null],
    [0x02, "unlocked", "manual", null],
    [0x03, "locked", "remote", null],
    [0x04, "unlocked", "remote", null],
    [0x05, "locked", "keycode", 4],
    [0x06, "unlocked", "keycode", 4],
    [0x09, "locked", "automatic", null],
  ] as const)("event %i is a lock operation", (event, action, method, slot) => {
    expect(notificationToEvent(ID, 0x06, event, { userId: 4 })).toEqual({ type: "lock_operation", radioId: ID, action, method, slot });
  });

  it("maps keypad code edits, wipes and duplicates", () => {
    expect(notificationToEvent(ID, 0x06, 0x0e, { userId: 7 })).toEqual({ type: "slot_changed", radioId: ID, slot: 7, cause: "keypad_added" });
    expect(notificationToEvent(ID, 0x06, 0x0e, { userId: 7, userIdStatus: 1, userCode: "2580" })).toEqual({
      type: "slot_changed",
      radioId: ID,
      slot: 7,
      cause: "keypad_added",
      code: "2580",
    });
    expect(notificationToEvent(ID, 0x06, 0x0d, { userId: 7 })).toEqual({ type: "slot_changed", radioId: ID, slot: 7, cause: "keypad_deleted" });
    expect(notificationToEvent(ID, 0x06, 0x0c, undefined)).toEqual({ type: "all_slots_cleared", radioId: ID });
    expect(notificationToEvent(ID, 0x06, 0x0f, { userId: 8 })).toEqual({ type: "duplicate_refused", radioId: ID, slot: 8 });
    expect(notificationToEvent(ID, 0x06, 0x0f, undefined)).toEqual({ type: "duplicate_refused", radioId: ID, slot: null });
  });

  it("the keypad's lock button (keypad lock without a user) is a manual operation", () => {
    expect(notificationToEvent(ID, 0x06, 0x05, undefined)).toEqual({ type: "lock_operation", radioId: ID, action: "locked", method: "manual", slot: null });
  });

  it("refused credentials are access_denied, with the user when the lock names a known one", () => {
    for (const event of [0x14, 0x15, 0x32]) expect(notificationToEvent(ID, 0x06, event, undefined)).toEqual({ type: "access_denied", radioId: ID, slot: null });
    // Events zwave-js has no parameter definition for arrive with their raw bytes.
    expect(notificationToEvent(ID, 0x06, 0x30, Uint8Array.of(5))).toEqual({ type: "access_denied", radioId: ID, slot: 5 });
    expect(notificationToEvent(ID, 0x06, 0x2f, { userId: 6 })).toEqual({ type: "access_denied", radioId: ID, slot: 6 });
    expect(notificationToEvent(ID, 0x07, 0x04, undefined)).toEqual({ type: "access_denied", radioId: ID, slot: null });
  });

  it("tampering and keypad lockouts are tampered", () => {
    expect(notificationToEvent(ID, 0x06, 0x13, undefined)).toEqual({ type: "tampered", radioId: ID, cause: "keypad_lockout" });
    expect(notificationToEvent(ID, 0x07, 0x09, undefined)).toEqual({ type: "tampered", radioId: ID, cause: "tamper" });
  });

  it("ignores what is not about codes or lock operations", () => {
    expect(notificationToEvent(ID, 0x06, 0x0e, undefined)).toBeNull(); // no user id: nothing to re-read
    expect(notificationToEvent(ID, 0x06, 0x0b, undefined)).toBeNull(); // jammed
    expect(notificationToEvent(ID, 0x07, 0x03, undefined)).toBeNull(); // Home Security
    expect(notificationToEvent(ID, 0x06, 0x06, { userId: 0 })).toMatchObject({ slot: null });
  });
});

describe("values", () => {
  it("reads codes, empty slots and masked codes apart", () => {
    expect(readableCode("0123")).toBe("0123");
    expect(readableCode(Uint8Array.from(Buffer.from("0042")))).toBe("0042");
    expect(readableCode("")).toBeNull();
    expect(readableCode(Uint8Array.of(0, 0, 0, 0))).toBeNull();
    expect(readableCode("****")).toBeUndefined();
    expect(readableCode(Uint8Array.of(0xff, 0x01))).toBeUndefined();
    expect(readableCode(42)).toBeUndefined();
  });

  it("maps unsolicited User Code reports and battery levels", () => {
    expect(userCodeValueToEvent(ID, { commandClass: 0x63, property: "userCode", propertyKey: 3, newValue: "7531" })).toEqual({
      type: "slot_changed",
      radioId: ID,
      slot: 3,
      cause: "report",
      code: "7531",
    });
    expect(userCodeValueToEvent(ID, { commandClass: 0x63, property: "userCode", propertyKey: 3, newValue: "" })).toMatchObject({ code: null });
    expect(userCodeValueToEvent(ID, { commandClass: 0x63, property: "userIdStatus", propertyKey: 3, newValue: 1 })).toBeNull();
    expect(batteryValueToEvent(ID, { commandClass: 0x80, property: "level", newValue: 55 })).toEqual({ type: "battery", radioId: ID, level: 55 });
    expect(batteryValueToEvent(ID, { commandClass: 0x80, property: "isLow", newValue: true })).toBeNull();
  });
});

describe("notification states (zwave-js keeps them as values)", () => {
  const value = (property: string, propertyKey: string, newValue: unknown) => ({ commandClass: 0x71, property, propertyKey, newValue });
  it("keypad disabled and cover removed are tampered; battery warnings are battery_low; idle and others are nothing", () => {
    expect(notificationValueToEvent(ID, value("Access Control", "Keypad state", 0x10))).toEqual({ type: "tampered", radioId: ID, cause: "keypad_lockout" });
    expect(notificationValueToEvent(ID, value("Home Security", "Cover status", 0x03))).toEqual({ type: "tampered", radioId: ID, cause: "tamper" });
    for (const event of [0x0a, 0x0b]) expect(notificationValueToEvent(ID, value("Power Management", "Battery maintenance status", event))).toEqual({ type: "battery_low", radioId: ID });
    for (const event of [0x0e, 0x0f]) expect(notificationValueToEvent(ID, value("Power Management", "Battery level status", event))).toEqual({ type: "battery_low", radioId: ID });
    expect(notificationValueToEvent(ID, value("Home Security", "Cover status", 0))).toBeNull();
    expect(notificationValueToEvent(ID, value("Access Control", "Lock state", 0x0b))).toBeNull();
    expect(notificationValueToEvent(ID, value("Power Management", "Battery load status", 0x0c))).toBeNull();
  });
  it("Battery CC v2 'replace soon / now' is battery_low", () => {
    expect(notificationValueToEvent(ID, { commandClass: 0x80, property: "rechargeOrReplace", newValue: 1 })).toEqual({ type: "battery_low", radioId: ID });
    expect(notificationValueToEvent(ID, { commandClass: 0x80, property: "rechargeOrReplace", newValue: 0 })).toBeNull();
  });
});

describe("identities and schedules", () => {
  it("derives stable radio ids from the seed", () => {
    expect(simulatedHomeId("hub-a")).toBe(simulatedHomeId("hub-a"));
    expect(simulatedHomeId("hub-a")).not.toBe(simulatedHomeId("hub-b"));
    expect(radioIdOf(0x0badcafe, 2)).toBe(ID);
    expect(radioIdOf(0xfedcba98, 12)).toBe("zwave:fedcba98:12");
  });

  it("never widens a window when rounding it to the minute", () => {
    const startsAt = new Date(2026, 2, 4, 5, 6, 30);
    const endsAt = new Date(2026, 2, 5, 7, 8, 30);
    const encoded = toYearDaySchedule({ startsAt, endsAt });
    expect(encoded).toEqual({
      startYear: 26,
      startMonth: 3,
      startDay: 4,
      startHour: 5,
      startMinute: 7,
      stopYear: 26,
      stopMonth: 3,
      stopDay: 5,
      stopHour: 7,
      stopMinute: 8,
    });
    const { start, stop } = yearDayWindow(encoded);
    expect(start.getTime()).toBeGreaterThanOrEqual(startsAt.getTime());
    expect(stop.getTime()).toBeLessThanOrEqual(endsAt.getTime());
    expect(isInsideYearDay(encoded, new Date(2026, 2, 4, 12))).toBe(true);
    expect(isInsideYearDay(encoded, new Date(2026, 2, 4, 5, 6, 45))).toBe(false);
    expect(isInsideYearDay(encoded, new Date(2026, 2, 5, 7, 8))).toBe(false);
    expect(() => toYearDaySchedule({ startsAt, endsAt: new Date(startsAt.getTime() + 20_000) })).toThrow(RangeError);
  });
});
