// A simulated Zigbee Door Lock: a ZCL server that decodes the real frames herdsman sends
// (`frame.toBuffer()` parsed back with herdsman's Zcl.Frame) and answers with real frames, keeping its
// PINs in a LockMemory. It models the lock families the driver must survive (see ZigbeeSimulatedQuirks).
import { Zcl } from "zigbee-herdsman";
import type { SimulatedFaults } from "../../contract.js";
import { numericAttribute, pinField } from "../decode.js";
import {
  ALARM_DUPLICATE_PIN,
  ALL_USERS,
  ALARMS,
  DOOR_LOCK,
  DoorLockStatus,
  EventSource,
  POWER_CFG,
  ProgramEvent,
  SCHEDULE_ID,
  UserStatus,
  UserType,
  pinToBuffer,
  toZigbeeLocalTime,
} from "../door-lock.js";
import type { ZigbeeSimulatedQuirks } from "../options.js";
import type { LockMemory } from "./lock-memory.js";
import { VirtualDoor, type SavedBody } from "./virtual-door.js";
import type { NodeDescription } from "./zdo.js";
import { FACTORY_DOOR } from "../../sim/door-mechanism.js";

export interface VirtualLockSpec {
  readonly node: NodeDescription;
  readonly name: string;
  /** genBasic manufacturerName and modelId: what the lock says it is. */
  readonly identity: { readonly manufacturerName: string; readonly modelId: string };
  readonly doorLockEndpoint: number;
  readonly nativeSchedule: boolean;
  readonly battery: boolean;
  readonly minPinLen: number;
  readonly maxPinLen: number;
  readonly userCount: number;
  readonly quirks: ZigbeeSimulatedQuirks;
  /** Seconds before the lock relocks itself after an unlock; 0: never. */
  readonly autoRelockS?: number;
}

/** How the lock's frames reach the coordinator (the simulated network decides whether they get through). */
export type LockTransmit = (sourceEndpoint: number, clusterId: number, frame: Buffer) => void;

const NO_PIN = Buffer.alloc(0);

function statusPayload(ok: boolean): { status: number } {
  return { status: ok ? DoorLockStatus.SUCCESS : DoorLockStatus.GENERAL_FAILURE };
}

export class VirtualLock {
  readonly faults: { unresponsive: boolean; rejects_codes: boolean; masked_readback: boolean; jammed: boolean };
  /** The bolt, door sensor and body (virtual-door.ts). */
  readonly door: VirtualDoor;
  private tsn = 0;

  constructor(
    readonly spec: VirtualLockSpec,
    readonly memory: LockMemory,
    /** The model always hides digits (masked_readback in its config); the fault of that name hides them too. */
    private readonly maskedByModel: boolean,
    private readonly transmit: LockTransmit,
    /** Called after every change of memory, so a restart finds what the lock physically holds. */
    private readonly persist: () => void,
    saved: SavedBody = { door: FACTORY_DOOR, battery: 100 },
  ) {
    this.faults = { unresponsive: false, rejects_codes: false, masked_readback: false, jammed: false };
    this.door = new VirtualDoor({
      endpoint: spec.doorLockEndpoint,
      saved,
      autoRelockMs: (spec.autoRelockS ?? 0) * 1000,
      isJammed: () => this.faults.jammed,
      send: (endpoint, cluster, command, payload, tsn, global) => this.send(endpoint, cluster, command, payload, tsn, global),
      persist,
    });
  }

  setFaults(faults: SimulatedFaults): void {
    if (faults.unresponsive !== undefined) this.faults.unresponsive = faults.unresponsive;
    if (faults.rejects_codes !== undefined) this.faults.rejects_codes = faults.rejects_codes;
    if (faults.masked_readback !== undefined) this.faults.masked_readback = faults.masked_readback;
    if (faults.jammed !== undefined) this.faults.jammed = faults.jammed;
  }

  /** Lifting the masked_readback fault does not show digits on a model that always hides them. */
  private masksDigits(): boolean {
    return this.maskedByModel || this.faults.masked_readback;
  }

  // ---- the air side ----------------------------------------------------------------------------

  receiveZcl(endpoint: number, clusterId: number, data: Buffer): void {
    // An unresponsive lock is on the network (frames reach it) but its application answers nothing.
    if (this.faults.unresponsive) return;
    const header = Zcl.Header.fromBuffer(data);
    if (!header) return;
    let frame: Zcl.Frame;
    try {
      frame = Zcl.Frame.fromBuffer(clusterId, header, data, {});
    } catch {
      this.defaultResponse(endpoint, clusterId, header, Zcl.Status.MALFORMED_COMMAND);
      return;
    }
    const hosted = this.spec.node.endpoints.find((e) => e.endpoint === endpoint);
    if (!hosted?.inClusters.includes(clusterId)) {
      this.defaultResponse(endpoint, clusterId, header, Zcl.Status.UNSUPPORTED_CLUSTER);
      return;
    }
    if (header.isGlobal) this.globalCommand(endpoint, frame);
    else if (frame.cluster.name === DOOR_LOCK) this.doorLockCommand(endpoint, frame);
    else this.defaultResponse(endpoint, clusterId, header, Zcl.Status.UNSUP_COMMAND);
  }

  private globalCommand(endpoint: number, frame: Zcl.Frame): void {
    const tsn = frame.header.transactionSequenceNumber;
    switch (frame.command.name) {
      case "read": {
        const ids = Array.isArray(frame.payload) ? (frame.payload as unknown[]).map((e) => numericAttribute(e, "attrId") ?? -1) : [];
        this.send(endpoint, frame.cluster.name, "readRsp", ids.map((id) => this.attributeRecord(frame.cluster, id)), tsn, true);
        return;
      }
      case "configReport":
        this.send(endpoint, frame.cluster.name, "configReportRsp", [{ status: Zcl.Status.SUCCESS }], tsn, true);
        return;
      case "defaultRsp":
        return;
      default:
        this.defaultResponse(endpoint, frame.cluster.ID, frame.header, Zcl.Status.UNSUP_COMMAND);
    }
  }

  private attributeValues(cluster: string): Record<string, number | string> {
    switch (cluster) {
      case "genBasic":
        return {
          zclVersion: 8,
          appVersion: 1,
          stackVersion: 2,
          hwVersion: 1,
          manufacturerName: this.spec.identity.manufacturerName,
          modelId: this.spec.identity.modelId,
          dateCode: "20250101",
          powerSource: this.spec.battery ? 3 : 1,
          swBuildId: "1.0.0",
        };
      case DOOR_LOCK:
        return {
          ...this.door.attributes(),
          lockType: 0,
          actuatorEnabled: 1,
          numOfPinUsersSupported: this.spec.userCount,
          minPinLen: this.spec.minPinLen,
          maxPinLen: this.spec.maxPinLen,
          numOfYearDaySchedulesSupportedPerUser: this.spec.nativeSchedule ? 1 : 0,
          sendPinOta: this.masksDigits() ? 0 : 1,
          requirePinForRfOperation: 0,
        };
      case POWER_CFG:
        return { batteryPercentageRemaining: this.door.batteryAttribute() };
      default:
        return {};
    }
  }

  private attributeRecord(cluster: Zcl.Frame["cluster"], attrId: number): Record<string, unknown> {
    const definition = Object.values(cluster.attributes).find((a) => a.ID === attrId);
    const value = definition ? this.attributeValues(cluster.name)[definition.name] : undefined;
    if (!definition || value === undefined) return { attrId, status: Zcl.Status.UNSUPPORTED_ATTRIBUTE };
    return { attrId, status: Zcl.Status.SUCCESS, dataType: definition.type, attrData: value };
  }

  private doorLockCommand(endpoint: number, frame: Zcl.Frame): void {
    const p: unknown = frame.payload;
    const tsn = frame.header.transactionSequenceNumber;
    const userId = numericAttribute(p, "userid") ?? -1;
    switch (frame.command.name) {
      case "setPinCode":
        this.setPinCode(endpoint, frame, userId, p);
        return;
      case "getPinCode": {
        if (this.spec.quirks.ignoresGetPinCode) return;
        if (!this.memory.validUser(userId)) {
          this.defaultResponse(endpoint, frame.cluster.ID, frame.header, Zcl.Status.INVALID_FIELD);
          return;
        }
        const user = this.memory.get(userId);
        const pin = user && !this.masksDigits() ? pinToBuffer(user.pin) : NO_PIN;
        // An empty slot reads as status "available" and type 0xFF (herdsman decodes that non-value as NaN).
        const payload = user
          ? { userid: userId, userstatus: user.status, usertype: user.type, pincodevalue: pin }
          : { userid: userId, userstatus: UserStatus.AVAILABLE, usertype: UserType.NOT_SUPPORTED, pincodevalue: NO_PIN };
        this.send(endpoint, DOOR_LOCK, "getPinCodeRsp", payload, tsn);
        return;
      }
      case "clearPinCode": {
        // Like several real locks, clearing a PIN leaves the user's schedule: the driver must clear both.
        const ok = this.memory.validUser(userId) && this.change(() => this.memory.clearPin(userId));
        this.send(endpoint, DOOR_LOCK, "clearPinCodeRsp", statusPayload(ok), tsn);
        if (ok) this.rfChangeEvent(ProgramEvent.PIN_DELETED, userId, null);
        return;
      }
      case "clearAllPinCodes":
        this.change(() => this.memory.clearAll());
        this.send(endpoint, DOOR_LOCK, "clearAllPinCodesRsp", statusPayload(true), tsn);
        return;
      case "setYearDaySchedule":
      case "getYearDaySchedule":
      case "clearYearDaySchedule":
        this.yearDayCommand(endpoint, frame, userId, p);
        return;
      case "lockDoor":
      case "unlockDoor":
        this.door.rfCommand(endpoint, frame.command.name === "lockDoor", tsn);
        return;
      default:
        this.defaultResponse(endpoint, frame.cluster.ID, frame.header, Zcl.Status.UNSUP_COMMAND);
    }
  }

  private setPinCode(endpoint: number, frame: Zcl.Frame, userId: number, p: unknown): void {
    const tsn = frame.header.transactionSequenceNumber;
    if (this.spec.quirks.answersSetPinCodeWithDefaultResponse) {
      this.defaultResponse(endpoint, frame.cluster.ID, frame.header, Zcl.Status.FAILURE, true);
      return;
    }
    const pin = pinField(p, "pincodevalue");
    if (this.faults.rejects_codes || pin === null) {
      this.send(endpoint, DOOR_LOCK, "setPinCodeRsp", { status: DoorLockStatus.GENERAL_FAILURE }, tsn);
      return;
    }
    const userStatus = numericAttribute(p, "userstatus") ?? UserStatus.ENABLED;
    const userType = numericAttribute(p, "usertype") ?? UserType.UNRESTRICTED;
    const existed = this.memory.get(userId) !== undefined;
    const outcome = this.memory.set(userId, pin, userStatus, userType);
    if (outcome === "ok") this.persist();
    if (outcome === "duplicate" && this.spec.quirks.duplicateReport === "alarm") {
      // Yale: the alarm, then a plain failure.
      this.alarm(ALARM_DUPLICATE_PIN);
      this.send(endpoint, DOOR_LOCK, "setPinCodeRsp", { status: DoorLockStatus.GENERAL_FAILURE }, tsn);
      return;
    }
    const code = outcome === "ok" ? DoorLockStatus.SUCCESS : outcome === "duplicate" ? DoorLockStatus.DUPLICATE_CODE : DoorLockStatus.GENERAL_FAILURE;
    this.send(endpoint, DOOR_LOCK, "setPinCodeRsp", { status: code }, tsn);
    if (outcome === "ok") this.rfChangeEvent(existed ? ProgramEvent.PIN_CHANGED : ProgramEvent.PIN_ADDED, userId, pin);
  }

  private yearDayCommand(endpoint: number, frame: Zcl.Frame, userId: number, p: unknown): void {
    const tsn = frame.header.transactionSequenceNumber;
    if (!this.spec.nativeSchedule) {
      this.defaultResponse(endpoint, frame.cluster.ID, frame.header, Zcl.Status.UNSUP_COMMAND);
      return;
    }
    const validId = numericAttribute(p, "scheduleid") === SCHEDULE_ID && this.memory.validUser(userId);
    if (frame.command.name === "setYearDaySchedule") {
      const start = numericAttribute(p, "zigbeelocalstarttime") ?? 0;
      const end = numericAttribute(p, "zigbeelocalendtime") ?? 0;
      const ok = validId && this.change(() => this.memory.setSchedule(userId, { start, end }));
      this.send(endpoint, DOOR_LOCK, "setYearDayScheduleRsp", statusPayload(ok), tsn);
    } else if (frame.command.name === "clearYearDaySchedule") {
      const ok = validId && this.change(() => this.memory.clearSchedule(userId));
      this.send(endpoint, DOOR_LOCK, "clearYearDayScheduleRsp", statusPayload(ok), tsn);
    } else {
      const window = validId ? this.memory.schedule(userId) : undefined;
      this.send(
        endpoint,
        DOOR_LOCK,
        "getYearDayScheduleRsp",
        {
          scheduleid: SCHEDULE_ID,
          userid: userId,
          status: window ? Zcl.Status.SUCCESS : Zcl.Status.NOT_FOUND,
          zigbeelocalstarttime: window?.start ?? 0,
          zigbeelocalendtime: window?.end ?? 0,
        },
        tsn,
      );
    }
  }

  // ---- the keypad side -------------------------------------------------------------------------

  /** A person programs a PIN at the keypad; a duplicate is refused with the Yale alarm. */
  keypadSetCode(slot: number, code: string): "ok" | "duplicate" {
    if (slot < 1 || !this.memory.validUser(slot)) throw new Error(`slot ${slot} does not exist on this lock`);
    const existed = this.memory.get(slot) !== undefined;
    const outcome = this.memory.set(slot, code, UserStatus.ENABLED, UserType.UNRESTRICTED);
    if (outcome === "invalid") throw new Error("the lock does not accept a PIN of that form");
    if (outcome === "duplicate") {
      this.alarm(ALARM_DUPLICATE_PIN);
      return "duplicate";
    }
    this.persist();
    this.programmingEvent(existed ? ProgramEvent.PIN_CHANGED : ProgramEvent.PIN_ADDED, slot, code);
    return "ok";
  }

  keypadClearCode(slot: number): void {
    if (slot < 1 || !this.memory.validUser(slot)) throw new Error(`slot ${slot} does not exist on this lock`);
    this.change(() => this.memory.deleteUser(slot));
    this.programmingEvent(ProgramEvent.PIN_DELETED, slot, null);
  }

  /** The master menu's "delete all users": one notification for user 0xFFFF. */
  keypadClearAll(): void {
    this.change(() => this.memory.clearAll());
    this.programmingEvent(ProgramEvent.PIN_DELETED, ALL_USERS, null);
  }

  keypadUnlock(code: string, at: Date): { unlocked: boolean; slot: number | null } {
    const match = this.memory.match(code, toZigbeeLocalTime(at));
    return this.door.mechanism.codeEntered(match ? { slot: match.userId, allowed: match.allowed } : null);
  }

  // ---- frames the lock sends on its own ---------------------------------------------------------

  /** Locks that confirm RF changes: the programming event after the response (source RF). */
  private rfChangeEvent(event: number, userId: number, code: string | null): void {
    if (this.spec.quirks.programmingEventOnRfChange) this.programmingEvent(event, userId, code, EventSource.RF);
  }

  private programmingEvent(event: number, userId: number, code: string | null, source: number = EventSource.KEYPAD): void {
    // With SendPINOverTheAir off the notification carries no digits either.
    const pin = code !== null && !this.masksDigits() ? pinToBuffer(code) : NO_PIN;
    this.send(this.spec.doorLockEndpoint, DOOR_LOCK, "programmingEventNotification", {
      programeventsrc: source,
      programeventcode: event,
      userid: userId,
      pin,
      usertype: UserType.UNRESTRICTED,
      userstatus: code === null ? UserStatus.AVAILABLE : UserStatus.ENABLED,
      zigbeelocaltime: toZigbeeLocalTime(new Date()),
      data: "",
    });
  }

  private alarm(code: number): void {
    this.send(this.spec.doorLockEndpoint, ALARMS, "alarm", { alarmcode: code, clusterid: Zcl.Clusters.closuresDoorLock.ID });
  }

  private change(mutate: () => boolean | void): boolean {
    const ok = mutate() !== false;
    if (ok) this.persist();
    return ok;
  }

  private defaultResponse(endpoint: number, clusterId: number, header: Zcl.Header, status: number, force = false): void {
    // Per ZCL, no Default Response to a frame that disabled it, unless reporting an error.
    if (header.frameControl.disableDefaultResponse && status === Zcl.Status.SUCCESS && !force) return;
    this.send(endpoint, clusterId, "defaultRsp", { cmdId: header.commandIdentifier, statusCode: status }, header.transactionSequenceNumber, true);
  }

  /** Lock-originated frames never ask for a Default Response (as real locks do for responses and reports). */
  private send(endpoint: number, cluster: string | number, command: string, payload: unknown, tsn?: number, global = false): void {
    if (this.faults.unresponsive) return;
    this.tsn = (this.tsn + 1) & 0xff;
    const frame = Zcl.Frame.create(
      global ? Zcl.FrameType.GLOBAL : Zcl.FrameType.SPECIFIC,
      Zcl.Direction.SERVER_TO_CLIENT,
      true,
      undefined,
      tsn ?? this.tsn,
      command,
      cluster,
      payload,
      {},
    );
    this.transmit(endpoint, frame.cluster.ID, frame.toBuffer());
  }
}
