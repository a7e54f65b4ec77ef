// Contract test: drivers/zwave/sim/mock-state-keys.ts reads and writes the INTERNAL state names of
// zwave-js's published User Code / Schedule Entry Lock mock behaviours. If a zwave-js upgrade
// renames them, the simulator silently loses codes: this test must fail loudly instead.
import { CommandClasses } from "@zwave-js/core";
import type { MockController, MockNode, MockNodeResponse } from "@zwave-js/testing";
import { describe, expect, it } from "vitest";
import {
  ScheduleEntryLockCCYearDayScheduleGet,
  ScheduleEntryLockCCYearDayScheduleReport,
  ScheduleEntryLockCCYearDayScheduleSet,
  ScheduleEntryLockSetAction,
  UserCodeCCExtendedUserCodeSet,
  UserCodeCCGet,
  UserCodeCCReport,
  UserCodeCCUserCodeChecksumGet,
  UserCodeCCUserCodeChecksumReport,
  UserIDStatus,
  type CommandClass,
} from "zwave-js";
import { createDefaultMockNodeBehaviors } from "zwave-js/Testing";
import {
  mockStateKeyNames,
  readMockSlot,
  readMockYearDay,
  writeMockSlot,
  writeMockYearDay,
} from "../../drivers/zwave/sim/mock-state-keys.js";

const RENAMED =
  "zwave-js's mock behaviours no longer use the state names in drivers/zwave/sim/mock-state-keys.ts " +
  "(internal names, e.g. UserCode_userCode_<n> in 15.29): read the new mockCCBehaviors sources and update that module";

/** Just enough of a MockNode / MockController for the published behaviours' handleCC. */
function fakeLock(): { state: Map<string, unknown>; handle: (cc: CommandClass) => Promise<MockNodeResponse | undefined> } {
  const state = new Map<string, unknown>();
  const capabilities: Partial<Record<number, object>> = {
    [CommandClasses["User Code"]]: { numUsers: 10, supportsUserCodeChecksum: true },
    [CommandClasses["Schedule Entry Lock"]]: { numWeekDaySlots: 0, numYearDaySlots: 1, numDailyRepeatingSlots: 0 },
  };
  const self = { id: 2, state, securityManagers: {}, getCCCapabilities: (ccId: number) => capabilities[ccId] } as unknown as MockNode;
  const controller = { ownNodeId: 1 } as unknown as MockController;
  const behaviors = createDefaultMockNodeBehaviors();
  return {
    state,
    async handle(cc) {
      for (const behavior of behaviors) {
        const response = await behavior.handleCC?.(controller, self, cc);
        if (response) return response;
      }
      return undefined;
    },
  };
}

function sentCC(response: MockNodeResponse | undefined): CommandClass {
  if (response?.action !== "sendCC") throw new Error(`expected the mock to answer, got ${JSON.stringify(response)}`);
  return response.cc;
}

const SCHEDULE = {
  startYear: 26,
  startMonth: 3,
  startDay: 4,
  startHour: 5,
  startMinute: 6,
  stopYear: 26,
  stopMonth: 3,
  stopDay: 5,
  stopHour: 7,
  stopMinute: 8,
};

describe("zwave-js mock lock state names", () => {
  it("a User Code Set lands where readMockSlot looks", async () => {
    const lock = fakeLock();
    const set = new UserCodeCCExtendedUserCodeSet({
      nodeId: 2,
      userCodes: [{ userId: 3, userIdStatus: UserIDStatus.Enabled, userCode: "0123" }],
    });
    expect((await lock.handle(set))?.action).toBe("ok");
    expect(lock.state.has(mockStateKeyNames.userCodeKey(3)), RENAMED).toBe(true);
    expect(lock.state.has(mockStateKeyNames.userIdStatusKey(3)), RENAMED).toBe(true);
    expect(readMockSlot(lock.state, 3), RENAMED).toEqual({ status: UserIDStatus.Enabled, code: "0123" });
  });

  it("what writeMockSlot stores is what the lock reports and checksums", async () => {
    const lock = fakeLock();
    const emptyChecksum = sentCC(await lock.handle(new UserCodeCCUserCodeChecksumGet({ nodeId: 2 })));
    writeMockSlot(lock.state, 4, { status: UserIDStatus.Enabled, code: "4567" });
    const report = sentCC(await lock.handle(new UserCodeCCGet({ nodeId: 2, userId: 4 })));
    expect(report).toBeInstanceOf(UserCodeCCReport);
    expect(report, RENAMED).toMatchObject({ userId: 4, userIdStatus: UserIDStatus.Enabled, userCode: "4567" });
    const checksum = sentCC(await lock.handle(new UserCodeCCUserCodeChecksumGet({ nodeId: 2 })));
    expect(checksum).toBeInstanceOf(UserCodeCCUserCodeChecksumReport);
    expect((checksum as UserCodeCCUserCodeChecksumReport).userCodeChecksum, RENAMED).not.toBe(
      (emptyChecksum as UserCodeCCUserCodeChecksumReport).userCodeChecksum,
    );
    writeMockSlot(lock.state, 4, { status: UserIDStatus.Available, code: null });
    expect(sentCC(await lock.handle(new UserCodeCCGet({ nodeId: 2, userId: 4 })))).toMatchObject({ userIdStatus: UserIDStatus.Available });
  });

  it("year-day schedules are stored where readMockYearDay / writeMockYearDay look", async () => {
    const lock = fakeLock();
    const set = new ScheduleEntryLockCCYearDayScheduleSet({
      nodeId: 2,
      userId: 5,
      slotId: 1,
      action: ScheduleEntryLockSetAction.Set,
      ...SCHEDULE,
    });
    expect((await lock.handle(set))?.action).toBe("ok");
    expect(readMockYearDay(lock.state, 5), RENAMED).toEqual(SCHEDULE);

    writeMockYearDay(lock.state, 6, SCHEDULE);
    const report = sentCC(await lock.handle(new ScheduleEntryLockCCYearDayScheduleGet({ nodeId: 2, userId: 6, slotId: 1 })));
    expect(report).toBeInstanceOf(ScheduleEntryLockCCYearDayScheduleReport);
    expect(report, RENAMED).toMatchObject(SCHEDULE);
  });
});
