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
  CCRaw,
  CommandClass,
  UserCodeCCCapabilitiesGet,
  UserCodeCCCapabilitiesReport,
  UserCodeCCExtendedUserCodeGet,
  UserCodeCCExtendedUserCodeReport,
  UserCodeCCExtendedUserCodeSet,
  UserCodeCCGet,
  UserCodeCCReport,
  UserCodeCCUserCodeChecksumGet,
  UserCodeCCUserCodeChecksumReport,
  UserIDStatus,
  ZWaveErrorCodes,
} from "zwave-js";
import { createDefaultMockNodeBehaviors } from "zwave-js/Testing";
import {
  mockStateKeyNames,
  readMockSlot,
  readMockYearDay,
  writeMockSlot,
  writeMockYearDay,
} from "../../drivers/zwave/sim/mock-state-keys.js";
import { createUserCodeBehaviors } from "../../drivers/zwave/sim/user-code-behaviors.js";
import type { SimLock } from "../../drivers/zwave/sim/sim-lock.js";

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

// What drivers/zwave/sim/user-code-behaviors.ts makes up for. When one of these fails, zwave-js's mock
// learned it: drop our behaviour for it.
const UPSTREAM_FIXED = "zwave-js's mock now does this itself: remove the stand-in from drivers/zwave/sim/user-code-behaviors.ts";

describe("what zwave-js 15.29's User Code mock cannot do (our stand-ins)", () => {
  const EXTENDED_GET = Uint8Array.from([0x63, 0x0c, 0x00, 0x05, 0x01]); // user 5, report more
  const ctx = { sourceNodeId: 1, frameType: "singlecast" } as unknown as Parameters<typeof CommandClass.parse>[1];

  it("its Capabilities Report says 'no multiple user codes', whatever the lock", async () => {
    const report = sentCC(await fakeLock().handle(new UserCodeCCCapabilitiesGet({ nodeId: 2 })));
    expect(report).toBeInstanceOf(UserCodeCCCapabilitiesReport);
    expect(report, UPSTREAM_FIXED).toMatchObject({ supportsMultipleUserCodeSet: false, supportsMultipleUserCodeReport: false });
  });

  it("its Extended User Code Get cannot be parsed, and its Extended User Code Report serializes without its codes", async () => {
    let error: unknown;
    try {
      UserCodeCCExtendedUserCodeGet.from(CCRaw.parse(EXTENDED_GET), ctx);
    } catch (e) {
      error = e;
    }
    expect((error as { code?: number })?.code, UPSTREAM_FIXED).toBe(ZWaveErrorCodes.Deserialization_NotImplemented);
    const report = new UserCodeCCExtendedUserCodeReport({ nodeId: 1, userCodes: [{ userId: 5, userIdStatus: UserIDStatus.Enabled, userCode: "1234" }], nextUserId: 6 });
    const bytes = await report.serialize({} as Parameters<UserCodeCCExtendedUserCodeReport["serialize"]>[0]);
    expect([...bytes], UPSTREAM_FIXED).toEqual([0x63, 0x0d]);
  });

  it("with our behaviours a lock says multi-code, parses the Get and answers consecutive codes with the next user id", async () => {
    const parsed = await CommandClass.parse(EXTENDED_GET, ctx);
    expect(parsed).toBeInstanceOf(UserCodeCCExtendedUserCodeGet);
    expect(parsed).toMatchObject({ userId: 5, reportMore: true });
    const state = new Map<string, unknown>();
    writeMockSlot(state, 5, { status: UserIDStatus.Enabled, code: "1234" });
    writeMockSlot(state, 7, { status: UserIDStatus.Enabled, code: "567890" });
    const lock = { config: { multi_code: true }, slotCount: 8, masksDigits: () => false } as unknown as SimLock;
    const self = {
      state,
      capabilities: { securityClasses: new Set() },
      getCCCapabilities: () => ({ supportsUserCodeChecksum: true, supportedASCIIChars: "0123456789" }),
    } as unknown as Parameters<NonNullable<ReturnType<typeof createUserCodeBehaviors>[number]["handleCC"]>>[1];
    const controller = { ownNodeId: 1 } as unknown as MockController;
    const answer = async (cc: CommandClass) => {
      for (const b of createUserCodeBehaviors(lock)) {
        const r = await b.handleCC?.(controller, self, cc);
        if (r) return r;
      }
      return undefined;
    };
    expect(sentCC(await answer(new UserCodeCCCapabilitiesGet({ nodeId: 2 })))).toMatchObject({ supportsMultipleUserCodeSet: true, supportsMultipleUserCodeReport: true, supportsUserCodeChecksum: true });
    const report = sentCC(await answer(parsed)) as UserCodeCCExtendedUserCodeReport;
    // 3 + (4 + 4) + 4 + (4 + 6) + 4 = 29 bytes: slots 5..8 fit a plain frame's 44, so the report ends the list.
    expect(report.userCodes).toEqual([
      { userId: 5, userIdStatus: UserIDStatus.Enabled, userCode: "1234" },
      { userId: 6, userIdStatus: UserIDStatus.Available, userCode: "" },
      { userId: 7, userIdStatus: UserIDStatus.Enabled, userCode: "567890" },
      { userId: 8, userIdStatus: UserIDStatus.Available, userCode: "" },
    ]);
    expect(report.nextUserId).toBe(0);
    // What goes on the air parses back to the same codes (the driver's side of it).
    const wire = await report.serialize({} as Parameters<UserCodeCCExtendedUserCodeReport["serialize"]>[0]);
    const back = UserCodeCCExtendedUserCodeReport.from(CCRaw.parse(wire), ctx);
    expect(back.userCodes).toEqual(report.userCodes);
    expect(back.nextUserId).toBe(0);
  });
});
