// User Code behaviours zwave-js 15.29's mock lacks, so a simulated lock can be a multi-code User Code v2
// lock or a v1 lock that reports its RF writes (test/drivers/zwave-mock-state.test.ts pins what upstream
// does, so an upgrade that fixes it is noticed):
// - the Capabilities Report: upstream hard-codes "multiple user code report/set" to false; a lock with
//   `multi_code` says true (zwave-js then sends several codes per Extended User Code Set, and its
//   interview reads codes with Extended User Code Get, "report more");
// - Extended User Code Get: upstream cannot parse it (its `from` throws "deserialization not
//   implemented"), and its Extended User Code Report cannot be serialized (no payload);
// - "new user code added" (Access Control 0x0E with the user id) after an RF User Code Set, which User
//   Code v1 locks send (SimLock.reportsWrites; docs/benchmarks.md, the v1 row, has the sources).
// The lock's memory stays in the mock state keys (mock-state-keys.ts).
import type { MockNodeBehavior } from "@zwave-js/testing";
import {
  CCCommand,
  UserCodeCCCapabilitiesGet,
  UserCodeCCCapabilitiesReport,
  UserCodeCCExtendedUserCodeGet,
  UserCodeCCExtendedUserCodeReport,
  UserCodeCCSet,
  UserCodeCommand,
  UserIDStatus,
  type KeypadMode,
  type UserCode,
} from "zwave-js";
import { CommandClasses, validatePayload } from "@zwave-js/core";
import { AccessControlEvent } from "../notifications.js";
import { accessControlReport } from "./mock-behaviors.js";
import { sendFromLock } from "./secure-send.js";
import { isOccupiedStatus, readMockSlot } from "./mock-state-keys.js";
import type { SimLock } from "./sim-lock.js";

type ParseArgs = Parameters<typeof UserCodeCCExtendedUserCodeGet.from>;
type EncodeContext = Parameters<UserCodeCCExtendedUserCodeGet["serialize"]>[0];

/** An Extended User Code Get the mock node can parse: user id (16 bit), then the "report more" bit. */
class ParsedExtendedUserCodeGet extends UserCodeCCExtendedUserCodeGet {
  static override from(raw: ParseArgs[0], ctx: ParseArgs[1]): ParsedExtendedUserCodeGet {
    validatePayload(raw.payload.length >= 3);
    return new ParsedExtendedUserCodeGet({ nodeId: ctx.sourceNodeId, userId: raw.payload.readUInt16BE(0), reportMore: (raw.payload[2]! & 0x01) !== 0 });
  }
}
// zwave-js's own command decorator, applied by hand: it registers the class as the parser of this
// command (in place of upstream's), for every CommandClass.parse in this process. The hub's driver never
// receives an Extended User Code Get, so only the mock nodes see the difference.
CCCommand(UserCodeCommand.ExtendedUserCodeGet)(ParsedExtendedUserCodeGet, { kind: "class", name: ParsedExtendedUserCodeGet.name } as ClassDecoratorContext<typeof ParsedExtendedUserCodeGet>);

/** An Extended User Code Report the mock node can send: count, codes (id, status, length, digits), next id. */
class SentExtendedUserCodeReport extends UserCodeCCExtendedUserCodeReport {
  override async serialize(ctx: EncodeContext): ReturnType<UserCodeCCExtendedUserCodeGet["serialize"]> {
    const parts: number[] = [this.userCodes.length];
    for (const { userId, userIdStatus, userCode } of this.userCodes) {
      const code = Buffer.from(userCode, "ascii");
      parts.push(userId >> 8, userId & 0xff, userIdStatus, code.length & 0x0f, ...code);
    }
    parts.push(this.nextUserId >> 8, this.nextUserId & 0xff);
    this.payload = Buffer.from(parts) as unknown as typeof this.payload;
    return super.serialize(ctx);
  }
}

/**
 * User Code payload of one report frame: the controller's 46-byte maximum payload less the CC header,
 * and S2's 12 bytes on a secure lock. How many codes a "report more" answer carries.
 */
const REPORT_PAYLOAD_BYTES = { plain: 44, secure: 32 } as const;

/** Register AFTER createDoorLockBehaviors and BEFORE createLockBehaviors: silence and faults see a frame first. */
export function createUserCodeBehaviors(lock: SimLock): MockNodeBehavior[] {
  const reportMultiCodeSupport: MockNodeBehavior = {
    handleCC(controller, self, cc) {
      if (!(cc instanceof UserCodeCCCapabilitiesGet) || lock.config.multi_code !== true) return undefined;
      const caps = self.getCCCapabilities(CommandClasses["User Code"], cc.endpointIndex) as
        | { supportsAdminCode?: boolean; supportsAdminCodeDeactivation?: boolean; supportsUserCodeChecksum?: boolean; supportedUserIDStatuses?: UserIDStatus[]; supportedKeypadModes?: KeypadMode[]; supportedASCIIChars?: string }
        | undefined;
      const report = new UserCodeCCCapabilitiesReport({
        nodeId: controller.ownNodeId,
        supportsAdminCode: caps?.supportsAdminCode ?? false,
        supportsAdminCodeDeactivation: caps?.supportsAdminCodeDeactivation ?? false,
        supportsUserCodeChecksum: caps?.supportsUserCodeChecksum ?? false,
        supportsMultipleUserCodeReport: true,
        supportsMultipleUserCodeSet: true,
        supportedUserIDStatuses: caps?.supportedUserIDStatuses ?? [UserIDStatus.Available, UserIDStatus.Enabled],
        supportedKeypadModes: caps?.supportedKeypadModes ?? [],
        supportedASCIIChars: caps?.supportedASCIIChars ?? "0123456789",
      });
      return { action: "sendCC", cc: report };
    },
  };

  const answerExtendedGet: MockNodeBehavior = {
    handleCC(controller, self, cc) {
      if (!(cc instanceof UserCodeCCExtendedUserCodeGet)) return undefined;
      const budget = self.capabilities.securityClasses.size > 0 ? REPORT_PAYLOAD_BYTES.secure : REPORT_PAYLOAD_BYTES.plain;
      const userCodes: UserCode[] = [];
      let bytes = 1 + 2; // count, next user id
      let id = cc.userId;
      if (id < 1 || id > lock.slotCount) {
        userCodes.push({ userId: id, userIdStatus: UserIDStatus.StatusNotAvailable, userCode: "" });
        id = 0;
      } else {
        for (; id <= lock.slotCount; id++) {
          const held = readMockSlot(self.state, id);
          const code = held.code === null ? "" : lock.masksDigits() ? lock.maskedCode() : held.code;
          if (userCodes.length > 0 && (!cc.reportMore || bytes + 4 + code.length > budget)) break;
          userCodes.push({ userId: id, userIdStatus: held.status, userCode: code });
          bytes += 4 + code.length;
        }
        if (id > lock.slotCount) id = 0;
      }
      return { action: "sendCC", cc: new SentExtendedUserCodeReport({ nodeId: controller.ownNodeId, userCodes, nextUserId: id }) };
    },
  };

  const reportRfWrites: MockNodeBehavior = {
    transformResponse(controller, self, cc, response) {
      if (!lock.reportsWrites || !(cc instanceof UserCodeCCSet) || response.action !== "ok") return response;
      if (!isOccupiedStatus(cc.userIdStatus) || readMockSlot(self.state, cc.userId).code === null) return response;
      // Sent after the command was handled, as a lock sends it once the code is stored.
      setImmediate(() => {
        if (!lock.isSilent()) void sendFromLock(self, accessControlReport(controller.ownNodeId, AccessControlEvent.NewUserCodeAdded, cc.userId)).catch(() => undefined);
      });
      return response;
    },
  };

  return [reportMultiCodeSupport, answerExtendedGet, reportRfWrites];
}
