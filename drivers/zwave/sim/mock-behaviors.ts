// Behaviours we add on top of zwave-js's published mock node behaviours so a MockNode acts like a
// real keypad lock: length and duplicate refusal, fault injection, Battery and Notification Get
// answers (the defaults leave them unanswered and each interview would stall), frame counting,
// and a hook to persist the lock's memory whenever a command may have changed it.
import type { MockNodeBehavior } from "@zwave-js/testing";
import {
  BatteryCCGet,
  BatteryCCReport,
  NotificationCCGet,
  NotificationCCReport,
  ScheduleEntryLockCCEnableAllSet,
  Security2CC,
  Security2CCMessageEncapsulation,
  SecurityCCCommandEncapsulation,
  SupervisionCCGet,
  ScheduleEntryLockCCEnableSet,
  UserCodeCCExtendedUserCodeSet,
  UserCodeCCGet,
  UserCodeCCReport,
  UserCodeCCSet,
  UserIDStatus,
  type CommandClass,
} from "zwave-js";
import { isOccupiedStatus, readMockSlot, writeMockScheduleEnabled } from "./mock-state-keys.js";
import { ACCESS_CONTROL } from "../notifications.js";
import { sendFromLock } from "./secure-send.js";

/** Live switches of one simulated lock, read by the behaviours on every frame. */
export interface MockLockControls {
  readonly slotCount: number;
  readonly codeLengths: readonly number[];
  /** Unresponsive or off the air: swallow everything (the node also stops ACKing, see simulation.ts). */
  isSilent(): boolean;
  rejectsCodes(): boolean;
  masksDigits(): boolean;
  /** What a masked slot reads back as ("****", or the model's own mask). */
  maskedCode(): string;
  /** The lock reports codes zero-padded to this many bytes (some models do); 0: as stored. */
  codePadding(): number;
  batteryLevel(): number;
  /** One request frame to or from the lock, carrying `cc` as sent (encapsulated or not). */
  countFrame(cc: CommandClass): void;
  /** A command was handled that may have changed the lock's memory. */
  memoryMayHaveChanged(): void;
}

/** A notification as a lock sends it, optionally with raw event parameters; send it with secure-send.ts. */
export function notificationReport(controllerNodeId: number, type: number, event: number, parameters?: Uint8Array<ArrayBuffer>): NotificationCCReport {
  return new NotificationCCReport({
    nodeId: controllerNodeId,
    notificationType: type,
    notificationEvent: event,
    ...(parameters === undefined ? {} : { eventParameters: parameters }),
  });
}

/** An old Alarm report (Notification v1: the model's alarm type and level, nothing else); send it with secure-send.ts. */
export function alarmReport(controllerNodeId: number, alarmType: number, alarmLevel: number): NotificationCCReport {
  return new NotificationCCReport({ nodeId: controllerNodeId, alarmType, alarmLevel });
}

/** An Access Control notification as a lock sends it (user id as the one event parameter). */
export function accessControlReport(controllerNodeId: number, event: number, userId?: number): NotificationCCReport {
  return notificationReport(controllerNodeId, ACCESS_CONTROL, event, userId === undefined ? undefined : Uint8Array.of(userId));
}

/**
 * The class name of the command a frame carries, under its Security 2, Security 0 and Supervision
 * wrappers ("UserCodeCCUserCodeChecksumGet"): the frame tally groups by what was asked, not how.
 * An S2 frame with nothing inside (extensions only) stays "Security2CCMessageEncapsulation".
 */
export function innerCommandName(cc: CommandClass): string {
  let inner = cc;
  for (;;) {
    // An encapsulation seen before it is decrypted (S0 on the way in) carries nothing yet: it counts as itself.
    const next = inner instanceof Security2CCMessageEncapsulation || inner instanceof SecurityCCCommandEncapsulation || inner instanceof SupervisionCCGet ? inner.encapsulated : undefined;
    if (next === undefined) return inner.constructor.name;
    inner = next;
  }
}

/** `code` followed by NUL bytes up to `length` bytes (serialized byte for byte). */
const padded = (code: string, length: number): string => code.padEnd(length, "\0");

interface CodeWrite {
  readonly userId: number;
  readonly code: string;
}

/** The codes a (Extended) User Code Set wants to store; clears are not listed. */
function codesToStore(cc: CommandClass): CodeWrite[] | null {
  let entries: Array<{ userId: number; userIdStatus: UserIDStatus; userCode?: string | Uint8Array }>;
  if (cc instanceof UserCodeCCExtendedUserCodeSet) entries = cc.userCodes;
  else if (cc instanceof UserCodeCCSet) entries = [cc];
  else return null;
  return entries
    .filter((e) => isOccupiedStatus(e.userIdStatus) && e.userCode !== undefined)
    .map((e) => ({
      userId: e.userId,
      code: typeof e.userCode === "string" ? e.userCode : Buffer.from(e.userCode ?? new Uint8Array()).toString("latin1"),
    }));
}

/** The slot already holding `code`, other than `exceptSlot`, or null. */
export function slotHoldingCode(state: Map<string, unknown>, slotCount: number, code: string, exceptSlot?: number): number | null {
  for (let slot = 1; slot <= slotCount; slot++) {
    if (slot === exceptSlot) continue;
    if (readMockSlot(state, slot).code === code) return slot;
  }
  return null;
}

/** Behaviours to register AFTER createDefaultMockNodeBehaviors(), so they run first. */
export function createLockBehaviors(controls: MockLockControls): MockNodeBehavior[] {
  const countFrames: MockNodeBehavior = {
    transformIncomingCC(_controller, _self, cc) {
      controls.countFrame(cc);
      return cc;
    },
  };

  const silence: MockNodeBehavior = {
    handleCC() {
      return controls.isSilent() ? { action: "stop" } : undefined;
    },
  };

  const guardUserCodeSet: MockNodeBehavior = {
    async handleCC(controller, self, cc) {
      const writes = codesToStore(cc);
      if (!writes || writes.length === 0) return undefined;
      if (controls.rejectsCodes()) return { action: "fail" };
      // A batch (Extended User Code Set) is stored whole or not at all.
      for (const [i, write] of writes.entries()) {
        // Keypads only take the lengths they were built for; the memory stays unchanged.
        if (!controls.codeLengths.includes(write.code.length)) return { action: "fail" };
        const twice = writes.slice(0, i).some((w) => w.code === write.code);
        if (twice || slotHoldingCode(self.state, controls.slotCount, write.code, write.userId) !== null) {
          // What real locks do: "new user code not added due to duplicate code", then refuse.
          await sendFromLock(self, accessControlReport(controller.ownNodeId, 0x0f, write.userId));
          return { action: "fail" };
        }
      }
      return undefined; // let zwave-js's User Code behaviour store it
    },
  };

  // A lock that masks its codes, or sends them zero-padded ("manufacturers send zero-padded strings",
  // zwave-js's UserCodeCC, which strips the padding).
  const readbackAsTheLockSendsIt: MockNodeBehavior = {
    handleCC(controller, self, cc) {
      if (!(cc instanceof UserCodeCCGet)) return undefined;
      const padding = controls.codePadding();
      if (!(controls.masksDigits() || padding > 0)) return undefined;
      if (cc.userId < 1 || cc.userId > controls.slotCount) return undefined;
      const held = readMockSlot(self.state, cc.userId);
      let userCode = "";
      if (held.code !== null) userCode = controls.masksDigits() ? controls.maskedCode() : padded(held.code, padding);
      const report = new UserCodeCCReport({ nodeId: controller.ownNodeId, userId: cc.userId, userIdStatus: held.status, userCode });
      return { action: "sendCC", cc: report };
    },
  };

  const answerNotificationGet: MockNodeBehavior = {
    handleCC(controller, _self, cc) {
      if (!(cc instanceof NotificationCCGet)) return undefined;
      // Nothing pending: an "idle" report for the asked type, so the interview moves on at once.
      const report = new NotificationCCReport({
        nodeId: controller.ownNodeId,
        notificationType: cc.notificationType ?? ACCESS_CONTROL,
        notificationEvent: 0x00,
        notificationStatus: 0xff,
      });
      return { action: "sendCC", cc: report };
    },
  };

  const answerBatteryGet: MockNodeBehavior = {
    handleCC(controller, _self, cc) {
      if (!(cc instanceof BatteryCCGet)) return undefined;
      return { action: "sendCC", cc: new BatteryCCReport({ nodeId: controller.ownNodeId, level: controls.batteryLevel() }) };
    },
  };

  const rememberScheduleEnable: MockNodeBehavior = {
    handleCC(_controller, self, cc) {
      if (cc instanceof ScheduleEntryLockCCEnableSet) {
        if (cc.userId >= 1 && cc.userId <= controls.slotCount) writeMockScheduleEnabled(self.state, cc.userId, cc.enabled);
      } else if (cc instanceof ScheduleEntryLockCCEnableAllSet) {
        for (let slot = 1; slot <= controls.slotCount; slot++) writeMockScheduleEnabled(self.state, slot, cc.enabled);
      }
      return undefined; // zwave-js's behaviour answers "ok"
    },
  };

  const persistAfterCommand: MockNodeBehavior = {
    transformResponse(_controller, _self, _cc, response) {
      controls.memoryMayHaveChanged();
      return response;
    },
  };

  return [
    countFrames,
    silence,
    guardUserCodeSet,
    readbackAsTheLockSendsIt,
    answerNotificationGet,
    answerBatteryGet,
    rememberScheduleEnable,
    persistAfterCommand,
  ];
}
