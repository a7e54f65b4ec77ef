// Issue 13: `lockbridge pair | unpair | replace`, the compiled CLI as an installer runs it, against the hub
// process: progress lines, the PIN typed when the lock asks for it, and exit codes that say how it ended.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HubProcess } from "./support/hub-process.js";
import { startPairingHub, type PairingClient } from "./support/pairing-client.js";
import { waitFor } from "./support/ports.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const CLI = path.join(ROOT, "dist/agent/cli/index.js");

let hub: HubProcess;
let pair: PairingClient;

class CliRun {
  out = "";
  readonly proc: ChildProcess;
  readonly exited: Promise<number>;

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [CLI, ...args, "--config", hub.configPath], { stdio: ["pipe", "pipe", "pipe"] });
    const collect = (d: Buffer) => (this.out += d.toString());
    this.proc.stdout!.on("data", collect);
    this.proc.stderr!.on("data", collect);
    this.exited = new Promise((resolve) => this.proc.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  }

  async sees(pattern: RegExp, ms = 20_000): Promise<void> {
    try {
      await waitFor(() => pattern.test(this.out), `CLI output ${pattern}`, ms, 25);
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; the CLI said:\n${this.out}`);
    }
  }

  /** The exit code, or the output so far when it does not end in time. */
  async exit(ms = 30_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the CLI did not exit in ${ms} ms; it said:\n${this.out}`)), ms)));
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
      this.proc.kill("SIGINT");
    }
  }

  type(line: string): void {
    this.proc.stdin!.write(`${line}\n`);
  }
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  ({ hub, pair } = await startPairingHub([{ protocol: "zwave", name: "Front", slots: 4 }, { protocol: "zigbee", name: "Back", slots: 4 }]));
});

afterAll(async () => {
  const logs = hub?.logs ?? "";
  await hub?.cleanup();
  expect(pair?.leaks(logs) ?? [], "a label secret reached a hub log line").toEqual([]);
});

describe("lockbridge pair / unpair / replace", () => {
  let garage: string;

  it("pair zwave: asks to press the button, prompts for the PIN, exits 0 with the new device", async () => {
    const label = await pair.newLock({ protocol: "zwave", name: "Garage", slots: 4 });
    const run = new CliRun(["pair", "zwave"]);
    await run.sees(/press the lock's pairing button/);
    await pair.press({ sim_id: label.sim_id });
    await run.sees(/enter the 5-digit PIN/);
    expect(run.out).toContain(label.dsk!.slice(5));
    run.type(label.pin!);
    expect(await run.exit()).toBe(0);
    expect(run.out).toMatch(/done: the lock is paired/);
    const m = /paired: device ([0-9a-f-]{36}) \(Garage\)/.exec(run.out);
    expect(m).toBeTruthy();
    garage = m![1]!;
    expect(run.out).not.toContain(label.pin!);
  });

  it("pair zwave --dsk: no PIN prompt; a wrong PIN exits 5; a second pairing is refused with 3", async () => {
    const label = await pair.newLock({ protocol: "zwave", name: "Shed", slots: 4 });
    const run = new CliRun(["pair", "zwave", "--dsk", label.dsk!]);
    await run.sees(/press the lock's pairing button/);
    await pair.press({ sim_id: label.sim_id });
    expect(await run.exit()).toBe(0);
    expect(run.out).not.toMatch(/PIN/);

    const wrong = await pair.newLock({ protocol: "zwave", name: "Wrong", slots: 4 });
    const bad = new CliRun(["pair", "zwave"]);
    await bad.sees(/press the lock's pairing button/);
    const busy = new CliRun(["pair", "zwave"]);
    expect(await busy.exit()).toBe(3);
    expect(busy.out).toMatch(/pairing_in_progress/);
    await pair.press({ sim_id: wrong.sim_id });
    await bad.sees(/enter the 5-digit PIN/);
    bad.type(String((Number(wrong.pin) + 1) % 100_000).padStart(5, "0"));
    expect(await bad.exit()).toBe(5);
    expect(bad.out).toMatch(/failed \(wrong_pin\)/);
  });

  it("pair zwave --qr: SmartStart, the lock joins by itself; pair zigbee --install-code; a window with no lock exits 4", async () => {
    const ss = await pair.newLock({ protocol: "zwave", name: "SmartStart", slots: 4, smart_start: true });
    const qr = new CliRun(["pair", "zwave", "--qr", ss.qr_code!]);
    expect(await qr.exit()).toBe(0);
    expect(qr.out).toMatch(/paired: device .* \(SmartStart\)/);
    expect(qr.out).not.toContain(ss.dsk!);

    const zb = await pair.newLock({ protocol: "zigbee", name: "Porch", slots: 4 });
    const run = new CliRun(["pair", "zigbee", "--install-code", zb.install_code!, "--seconds", "30"]);
    await run.sees(/press the lock's pairing button/);
    await pair.press({ sim_id: zb.sim_id });
    expect(await run.exit()).toBe(0);
    expect(run.out).toMatch(/paired: device .* \(Porch\)/);

    const empty = new CliRun(["pair", "zigbee", "--seconds", "1"]);
    expect(await empty.exit()).toBe(4);
    expect(await new CliRun(["pair", "bluetooth"]).exit()).toBe(2);
  });

  it("replace: a failed lock's codes come back on the new lock", async () => {
    for (const code of ["1111", "2222"]) {
      const id = (await pair.call("/access_codes/create", { device_id: garage, name: code, code })).access_code.access_code_id as string;
      await waitFor(async () => (await pair.call("/access_codes/get", { access_code_id: id })).access_code.status === "set", "code set");
    }
    await pair.call("/devices/simulate/disconnect", { device_id: garage });
    await waitFor(async () => (await pair.call("/devices/get", { device_id: garage })).device.properties.online === false, "offline");
    const label = await pair.newLock({ protocol: "zwave", name: "Garage (new)", slots: 4 });
    const run = new CliRun(["replace", garage]);
    await run.sees(/press the pairing button of the new lock/);
    await pair.press({ sim_id: label.sim_id });
    await run.sees(/enter the 5-digit PIN/);
    run.type(label.pin!);
    expect(await run.exit()).toBe(0);
    expect(run.out).toMatch(/access codes on the new lock: 2 of 2/);
    const slots = await hub.slots(garage);
    expect(["1111", "2222"].every((c) => slots.some((s) => s.code === c))).toBe(true);
  });

  it("unpair: a Zigbee lock is told to leave; a live Z-Wave lock is excluded with its button", async () => {
    const devices = await hub.devices();
    const back = devices.get("Back")!.device_id as string;
    const zig = new CliRun(["unpair", back]);
    expect(await zig.exit()).toBe(0);
    expect(zig.out).toMatch(/removed Back from the network/);

    const shed = devices.get("Shed")!.device_id as string;
    const run = new CliRun(["unpair", shed]);
    await run.sees(/press the pairing button of the lock to remove/);
    await pair.press({ device_id: shed });
    expect(await run.exit()).toBe(0);
    expect(run.out).toMatch(/removed: device/);
    expect((await hub.post("/devices/get", { device_id: shed })).status).toBe(404);
  });
});
