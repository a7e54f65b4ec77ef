// Contract test of the simulation's hook into zigbee-herdsman internals (drivers/zigbee/sim/install.ts).
// The simulated coordinator relies on things herdsman does not promise: a patchable static
// Adapter.create that Controller.start() calls, the adapter methods the Controller and its models call,
// and the waitress/ZCL/ZDO helpers the simulated adapter reuses. If an upgrade changes any of them, these
// tests say which, instead of the simulation failing somewhere downstream.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { Controller, setLogger, Zcl, Zdo } from "zigbee-herdsman";
import { Adapter } from "zigbee-herdsman/dist/adapter/adapter.js";
import { describe, expect, test } from "vitest";
import { SimAdapter } from "../../drivers/zigbee/sim/adapter.js";
import { hookProblem, isSimulatedAdapter, registerSimulatedNetwork } from "../../drivers/zigbee/sim/install.js";
import { SimNetwork } from "../../drivers/zigbee/sim/network.js";

const require = createRequire(import.meta.url);
const herdsmanDist = path.dirname(require.resolve("zigbee-herdsman"));
const herdsmanVersion = (JSON.parse(readFileSync(path.join(herdsmanDist, "..", "package.json"), "utf8")) as { version: string }).version;
const upgradeHint = `zigbee-herdsman ${herdsmanVersion} changed what the Zigbee simulation hooks into; update drivers/zigbee/sim/`;

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(full);
    return entry.name.endsWith(".js") ? [full] : [];
  });
}

describe(`zigbee-herdsman hook (${herdsmanVersion})`, () => {
  test("Adapter.create is a static method that can be replaced", () => {
    expect(hookProblem(), upgradeHint).toBeNull();
    expect(typeof Adapter.create, `${upgradeHint}: Adapter.create is gone`).toBe("function");
  });

  test("install codes: the parser the pairing code uses reads the label format, and addInstallCode reaches the adapter", async () => {
    const { parseInstallCode } = await import("zigbee-herdsman/dist/controller/helpers/installCodes.js");
    const [ieee, key] = parseInstallCode("0123456789abcdef|00112233445566778899aabbccddeeff1234");
    expect(ieee, `${upgradeHint}: parseInstallCode`).toBe("0x0123456789abcdef");
    expect(key).toBe("00112233445566778899aabbccddeeff1234");
    const source = readFileSync(path.join(herdsmanDist, "controller", "controller.js"), "utf8");
    expect(source, `${upgradeHint}: Controller.addInstallCode no longer hands the code to the adapter`).toMatch(/adapter\.addInstallCode\(/);
    expect(source, `${upgradeHint}: Controller.permitJoin no longer opens the adapter's window`).toMatch(/adapter\.permitJoin\(/);
  });

  test("Controller.start() still obtains its adapter from Adapter.create", () => {
    const source = readFileSync(path.join(herdsmanDist, "controller", "controller.js"), "utf8");
    expect(source, `${upgradeHint}: Controller.start() no longer calls Adapter.create`).toMatch(/\bAdapter\.create\(/);
  });

  test("every adapter method herdsman's controller calls is implemented by the simulated adapter", () => {
    const called = new Set<string>();
    for (const file of jsFiles(path.join(herdsmanDist, "controller"))) {
      for (const match of readFileSync(file, "utf8").matchAll(/\badapter\.([a-zA-Z]+)\(/g)) {
        if (match[1]) called.add(match[1]);
      }
    }
    // EventEmitter methods come with the base class.
    for (const inherited of ["on", "once", "emit", "removeAllListeners", "removeListener", "off"]) called.delete(inherited);
    expect(called.size, `${upgradeHint}: found no adapter calls at all`).toBeGreaterThan(10);
    const missing = [...called].filter((name) => typeof Reflect.get(SimAdapter.prototype, name) !== "function");
    expect(missing, `${upgradeHint}: herdsman now calls adapter methods the simulation lacks`).toEqual([]);
  });

  test("every abstract Adapter method is implemented by the simulated adapter", () => {
    const declaration = readFileSync(path.join(herdsmanDist, "adapter", "adapter.d.ts"), "utf8");
    const abstract = [...declaration.matchAll(/^\s*abstract (\w+)[(<]/gm)].map((m) => m[1] ?? "");
    expect(abstract.length, `${upgradeHint}: could not read the abstract Adapter methods`).toBeGreaterThan(10);
    const missing = abstract.filter((name) => !Object.prototype.hasOwnProperty.call(SimAdapter.prototype, name));
    expect(missing, `${upgradeHint}: Adapter has abstract methods the simulation does not implement`).toEqual([]);
  });

  test("the helpers the simulated adapter reuses still exist", () => {
    expect(typeof Adapter.zclWaitressValidator, upgradeHint).toBe("function");
    expect(typeof Adapter.clusterWaitressTimeoutFormatter, upgradeHint).toBe("function");
    expect(typeof Zcl.Frame.fromBuffer, upgradeHint).toBe("function");
    expect(typeof Zcl.Header.fromBuffer, upgradeHint).toBe("function");
    expect(typeof Zdo.Buffalo.readResponse, upgradeHint).toBe("function");
    const doorLock = Zcl.Clusters.closuresDoorLock;
    for (const command of ["setPinCode", "getPinCode", "clearPinCode", "setYearDaySchedule", "clearYearDaySchedule"]) {
      expect(doorLock.commands[command], `${upgradeHint}: Door Lock command ${command} renamed`).toBeDefined();
    }
    for (const response of ["setPinCodeRsp", "getPinCodeRsp", "programmingEventNotification", "operationEventNotification"]) {
      expect(doorLock.commandsResponse[response], `${upgradeHint}: Door Lock response ${response} renamed`).toBeDefined();
    }
  });

  test("a real Controller starts on the simulated coordinator through the hook", async () => {
    const quiet = () => undefined;
    setLogger({ debug: quiet, info: quiet, warning: quiet, error: quiet });
    const dir = mkdtempSync(path.join(tmpdir(), "lockbridge-zigbee-hook-"));
    const network = new SimNetwork({ dataDir: dir, seed: "hook", locks: [] });
    const registration = registerSimulatedNetwork(network, 200);
    const controller = new Controller({
      network: { panID: 0x1a62, channelList: [15] },
      transport: { path: registration.path, adapter: "zstack" },
      databasePath: path.join(dir, "database.db"),
      databaseBackupPath: path.join(dir, "database.db.backup"),
      backupPath: path.join(dir, "backup.json"),
      adapter: { disableLED: false },
      acceptJoiningDeviceHandler: async () => true,
    });
    try {
      await controller.start();
      expect(isSimulatedAdapter(Reflect.get(controller, "adapter")), `${upgradeHint}: the Controller did not use the simulated adapter`).toBe(true);
      expect(controller.getDevicesByType("Coordinator")[0]?.ieeeAddr).toBe(network.coordinator.ieee);
    } finally {
      await controller.stop();
      registration.unregister();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
