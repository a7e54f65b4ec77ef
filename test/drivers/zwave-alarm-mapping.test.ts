// Older Z-Wave locks send Alarm (Notification v1) reports with vendor alarm types; zwave-js maps them to
// notifications through the lock's device configuration file (compat.alarmMapping). This drives the real
// zwave-js driver against a mock node that identifies as a Yale YRD220 (manufacturer 0x0129, product type
// 0x0002, product id 0x0000: node_modules/@zwave-js/config/config/devices/0x0129/yrd220.json) and sends
// the alarm frames such a lock sends, through the hub's Z-Wave driver to the contract's events. Like the
// real YRD220 it is an S0 lock: the hub uses no lock without S2/S0 keys (protocol.md §7).
import { CommandClasses, SecurityClass } from "@zwave-js/core";
import { MockController, MockNode, ccCaps } from "@zwave-js/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotificationCCReport, type Driver } from "zwave-js";
import { createAndStartDriverWithMockPort, createDefaultMockControllerBehaviors, createDefaultMockNodeBehaviors } from "zwave-js/Testing";
import type { DriverEvent, LockHandle } from "../../drivers/contract.js";
import { radioIdOf, type ZWaveBackend } from "../../drivers/zwave/backend.js";
import { ZWaveLockDriver } from "../../drivers/zwave/driver.js";
import { waitForDriverReady } from "../../drivers/zwave/driver-ready.js";
import type { LockProfile } from "../../drivers/zwave/lock-handle.js";
import { parseSecurityKeys } from "../../drivers/zwave/options.js";
import { createLockBehaviors } from "../../drivers/zwave/sim/mock-behaviors.js";
import { sendFromLock } from "../../drivers/zwave/sim/secure-send.js";
import { TEST_SECURITY_KEYS } from "../support/zwave-tcp-bridge.js";
import { EventRecorder, recordingLogger, tempDataDir } from "../support/zwave-harness.js";

const HOME_ID = 0x0badcafe;
const NODE_ID = 2;
const radioId = radioIdOf(HOME_ID, NODE_ID);
const KEYS = parseSecurityKeys({ S0_Legacy: TEST_SECURITY_KEYS.S0_Legacy! });

/** A real-stick-like backend around one mock node with a real lock's identity (test only). */
class YaleBackend implements ZWaveBackend {
  readonly commandTimeoutMs = 3_000;
  node: MockNode | null = null;
  private controller: MockController | null = null;
  private zwave: Driver | null = null;

  constructor(private readonly dir: string) {}

  async open(): Promise<Driver> {
    const { driver, continueStartup, mockPort, serial } = await createAndStartDriverWithMockPort({
      logConfig: { enabled: false },
      storage: { cacheDir: this.dir },
      securityKeys: KEYS,
      interview: { queryAllUserCodes: true },
      attempts: { sendData: 1 },
    });
    this.zwave = driver;
    const wait = waitForDriverReady(driver, 30_000, recordingLogger());
    const controller = await MockController.create({ mockPort, serial, homeId: HOME_ID, ownNodeId: 1, securityKeys: KEYS });
    this.controller = controller;
    controller.defineBehavior(...createDefaultMockControllerBehaviors());
    const node = await MockNode.create({
      id: NODE_ID,
      controller,
      capabilities: {
        manufacturerId: 0x0129,
        productType: 0x0002,
        productId: 0x0000,
        genericDeviceClass: 0x40,
        specificDeviceClass: 0x03,
        txDelay: 0,
        securityClasses: new Set([SecurityClass.S0_Legacy]),
        commandClasses: [
          { ccId: CommandClasses["Manufacturer Specific"], isSupported: true, version: 1 },
          { ccId: CommandClasses.Version, isSupported: true, version: 1 },
          { ccId: CommandClasses.Security, isSupported: true, version: 1 },
          ccCaps({ ccId: CommandClasses["User Code"], isSupported: true, secure: true, version: 1, numUsers: 5 }),
          // Alarm v1: zwave-js applies the device file's alarm mapping only to version 1 reports.
          { ccId: CommandClasses.Notification, isSupported: true, secure: true, version: 1 },
          ccCaps({ ccId: CommandClasses["Door Lock"], isSupported: true, secure: true, version: 2 }),
          { ccId: CommandClasses.Battery, isSupported: true, secure: true, version: 1 },
        ],
      },
    });
    this.node = node;
    controller.addNode(node);
    node.defineBehavior(...createDefaultMockNodeBehaviors());
    const controls = { slotCount: 5, codeLengths: [4, 5, 6, 7, 8], isSilent: () => false, rejectsCodes: () => false, masksDigits: () => false, maskedCode: () => "****", codePadding: () => 0, batteryLevel: () => 80, countFrame: () => undefined, memoryMayHaveChanged: () => undefined };
    node.defineBehavior(...createLockBehaviors(controls));
    continueStartup();
    await wait.ready;
    return driver;
  }

  profileFor(): LockProfile {
    return { name: "Yale YRD220", manufacturer: "Yale", model: "YRD220", simulated: false, isBattery: true, codeLengths: [4, 5, 6, 7, 8] };
  }

  async close(): Promise<void> {
    await this.zwave?.destroy().catch(() => undefined);
    this.controller?.destroy();
  }

  /** What the lock sends: an Alarm v1 report of its own alarm type and level, S0-encrypted as the lock sends it. */
  async alarm(alarmType: number, alarmLevel: number): Promise<void> {
    if (!this.node) throw new Error("no mock node");
    await sendFromLock(this.node, new NotificationCCReport({ nodeId: 1, alarmType, alarmLevel }));
  }
}

let data: { dir: string; cleanup: () => Promise<void> };
let backend: YaleBackend;
let driver: ZWaveLockDriver;
let lock: LockHandle;
const recorder = new EventRecorder();

beforeAll(async () => {
  data = await tempDataDir();
  backend = new YaleBackend(data.dir);
  driver = new ZWaveLockDriver(backend, recordingLogger());
  driver.onEvent(recorder.listener);
  await driver.start();
  const ready = await recorder.locksReady(1, 30_000);
  if (!ready[0]) throw new Error("the Yale lock did not become ready");
  lock = ready[0];
});

afterAll(async () => {
  await driver?.stop();
  await data?.cleanup();
});

const after = (from: number, type: DriverEvent["type"]) => recorder.waitFor((e) => e.type === type && "radioId" in e && e.radioId === radioId, 5_000, from);

describe("Yale YRD220 alarm reports, mapped by zwave-js's device file", () => {
  it("the lock is the Yale of its device file, with a door lock control", () => {
    expect(lock.identity.radioId).toBe(radioId);
    expect(lock.lockControls()).toMatchObject({ remoteLock: true, remoteUnlock: true });
  });

  it.each([
    [19, 3, { type: "lock_operation", action: "unlocked", method: "keycode", slot: 3 }],
    [21, 1, { type: "lock_operation", action: "locked", method: "manual", slot: null }],
    [22, 1, { type: "lock_operation", action: "unlocked", method: "manual", slot: null }],
  ] as const)("alarm type %i level %i -> %j", async (alarmType, alarmLevel, expected) => {
    const from = recorder.events.length;
    await backend.alarm(alarmType, alarmLevel);
    expect(await after(from, "lock_operation")).toMatchObject(expected);
  });

  it("alarm 161 level 1 (keypad attempts exceed the limit) is a keypad lockout", async () => {
    const from = recorder.events.length;
    await backend.alarm(161, 1);
    expect(await after(from, "tampered")).toEqual({ type: "tampered", radioId, cause: "keypad_lockout" });
  });

  it("alarm 167 (low battery) is battery_low", async () => {
    const from = recorder.events.length;
    await backend.alarm(167, 40);
    expect(await after(from, "battery_low")).toEqual({ type: "battery_low", radioId });
  });

  it("an unlock reported by alarm moves the reported state too", async () => {
    const from = recorder.events.length;
    await backend.alarm(19, 2);
    await after(from, "lock_operation");
    expect(lock.lockState().locked).toBe(false);
  });
});
