// The pairing state machine (agent/pairing/progress.ts) as a table: what each radio update does to a
// pairing object, and which store action follows.
import { describe, expect, it } from "vitest";
import type { PairingUpdate } from "../../drivers/contract.js";
import type { PairingObject } from "../../agent/pairing/pairing-object.js";
import { applyUpdate, deviceReady } from "../../agent/pairing/progress.js";

const base = (over: Partial<PairingObject> = {}): PairingObject => ({
  pairing_id: "p",
  protocol: "zwave",
  kind: "include",
  status: "waiting_for_device",
  started_at: "2026-01-01T00:00:00.000Z",
  expires_at: "2026-01-01T00:01:00.000Z",
  device_ids: [],
  ...over,
});
const ctx = { closingAs: null, deviceIdFor: (radioId: string) => `dev(${radioId})` };

type Row = [string, PairingObject, PairingUpdate, Partial<PairingObject>, string[], ("stopped" | "expired" | null)?];

const rows: Row[] = [
  ["a lock answered the window", base(), { type: "device_found" }, { status: "securing" }, []],
  ["the lock asks for classes", base({ status: "securing" }), { type: "security_requested", requested: ["S2_AccessControl"] }, { status: "securing", requested_security_classes: ["S2_AccessControl"] }, []],
  ["S2 asks for the PIN", base({ status: "securing" }), { type: "pin_needed", partialDsk: "-1" }, { status: "pin_needed", partial_dsk: "-1" }, []],
  ["the PIN was handed over", base({ status: "pin_needed" }), { type: "securing" }, { status: "securing" }, []],
  ["Z-Wave joined: interview next", base({ status: "securing" }), { type: "joined", radioId: "r", granted: ["S2_AccessControl"] }, { status: "interviewing", granted_security_classes: ["S2_AccessControl"] }, ["await_device"]],
  ["a replacement joined: codes re-programmed", base({ kind: "replace", status: "securing" }), { type: "joined", radioId: "r", granted: ["S2_AccessControl"] }, { status: "interviewing" }, ["prepare_replacement", "await_device"]],
  ["Zigbee joined: the window stays open", base({ protocol: "zigbee" }), { type: "joined", radioId: "z", granted: [] }, { status: "waiting_for_device" }, ["await_device"]],
  ["Zigbee refused a join: shown, window open", base({ protocol: "zigbee" }), { type: "failed", error: "not_allowed", message: "m" }, { status: "waiting_for_device", error: { type: "not_allowed", message: "m" } }, []],
  ["wrong PIN", base({ status: "securing" }), { type: "failed", error: "wrong_pin", message: "m" }, { status: "failed", error: { type: "wrong_pin", message: "m" } }, []],
  ["stopped during the PIN: stopped, with the advice", base({ status: "pin_needed" }), { type: "failed", error: "insecure_inclusion", message: "m" }, { status: "stopped", error: { type: "insecure_inclusion", message: "m" } }, [], "stopped"],
  ["interview failed", base({ status: "interviewing" }), { type: "interview_failed", radioId: "r", message: "x" }, { status: "failed" }, []],
  ["excluded: the device goes", base({ kind: "exclude" }), { type: "left", radioId: "r" }, { status: "succeeded", device_ids: ["dev(r)"] }, ["purge"]],
  ["window closed by the hub's timer", base(), { type: "closed" }, { status: "expired" }, [], "expired"],
  ["window closed by stop", base(), { type: "closed" }, { status: "stopped" }, [], "stopped"],
  ["Zigbee countdown ended", base({ protocol: "zigbee" }), { type: "closed" }, { status: "expired" }, []],
  ["an exclusion that reset a foreign lock", base({ kind: "exclude" }), { type: "closed" }, { status: "succeeded", device_ids: [] }, []],
  ["the controller ended an inclusion by itself", base(), { type: "closed" }, { status: "failed" }, []],
  ["Z-Wave controller lost while waiting for the PIN", base({ status: "pin_needed" }), { type: "controller_lost", message: "m" }, { status: "failed", error: { type: "timeout", message: "m" } }, []],
  ["Zigbee coordinator lost: the window ends too", base({ protocol: "zigbee", device_ids: ["d"] }), { type: "controller_lost", message: "m" }, { status: "failed", device_ids: ["d"], error: { type: "timeout", message: "m" } }, []],
  ["controller lost while the hub stops the window", base(), { type: "controller_lost", message: "m" }, { status: "failed" }, [], "stopped"],
];

describe("pairing progress", () => {
  it.each(rows)("%s", (_what, record, update, expected, actions, closingAs = null) => {
    const out = applyUpdate(record, update, { ...ctx, closingAs });
    expect(out.record).toMatchObject(expected);
    expect(out.actions.map((a) => a.kind)).toEqual(actions);
  });

  it("a Zigbee join lists no security classes (the lock joins with the network key)", () => {
    const out = applyUpdate(base({ protocol: "zigbee" }), { type: "joined", radioId: "z", granted: [] }, ctx);
    expect(out.record.granted_security_classes).toBeUndefined();
  });

  it("never changes a finished pairing", () => {
    for (const status of ["succeeded", "failed", "stopped", "expired"] as const) {
      const done = base({ status });
      expect(applyUpdate(done, { type: "joined", radioId: "r", granted: [] }, ctx)).toEqual({ record: done, actions: [] });
    }
  });

  it("a device that became ready ends a Z-Wave pairing; Zigbee lists it and waits", () => {
    expect(deviceReady(base({ status: "interviewing" }), "d")).toMatchObject({ status: "succeeded", device_ids: ["d"] });
    const z = deviceReady(base({ protocol: "zigbee" }), "d1");
    expect(z).toMatchObject({ status: "waiting_for_device", device_ids: ["d1"] });
    expect(deviceReady(z, "d1").device_ids).toEqual(["d1"]);
    expect(deviceReady(base({ protocol: "zigbee", status: "expired", device_ids: ["a"] }), "b")).toMatchObject({ status: "expired", device_ids: ["a", "b"] });
  });
});
