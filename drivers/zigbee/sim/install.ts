// The hook that puts the simulated coordinator under the real Controller. herdsman has no adapter
// injection: Controller.start() calls the static Adapter.create(), which picks a driver by name. That
// static is replaced once per process by a wrapper that answers only for transport paths registered
// here ("lockbridge-sim://<id>") and hands every other path to the original, so a real coordinator in
// the same process is untouched. test/drivers/zigbee-herdsman-hook.test.ts fails loudly if an upgrade
// breaks this.
import { randomUUID } from "node:crypto";
import { Adapter } from "zigbee-herdsman/dist/adapter/adapter.js";
import { SimAdapter, type SimulatedAir } from "./adapter.js";

export const SIM_PATH_PREFIX = "lockbridge-sim://";

interface Registration {
  readonly air: SimulatedAir;
  readonly zdoTimeoutMs: number;
}

const registrations = new Map<string, Registration>();
let installed = false;

/** Why the hook cannot be installed, or null when it can. */
export function hookProblem(): string | null {
  const descriptor = Object.getOwnPropertyDescriptor(Adapter, "create");
  if (!descriptor || typeof descriptor.value !== "function") return "zigbee-herdsman's Adapter.create is no longer a static method";
  if (!descriptor.writable && !descriptor.configurable) return "zigbee-herdsman's Adapter.create can no longer be replaced";
  return null;
}

function install(): void {
  if (installed) return;
  const problem = hookProblem();
  if (problem) throw new Error(`cannot simulate a Zigbee coordinator: ${problem}`);
  const original = Adapter.create.bind(Adapter);
  Adapter.create = async (networkOptions, transportOptions, backupPath, adapterOptions) => {
    const path = transportOptions.path;
    const registration = path?.startsWith(SIM_PATH_PREFIX) ? registrations.get(path) : undefined;
    if (path?.startsWith(SIM_PATH_PREFIX) && !registration) throw new Error(`no simulated Zigbee network is registered at ${path}`);
    if (!registration) return original(networkOptions, transportOptions, backupPath, adapterOptions);
    return new SimAdapter(registration.air, registration.zdoTimeoutMs, networkOptions, transportOptions, backupPath, adapterOptions);
  };
  installed = true;
}

/** Registers a simulated network; the returned path goes into the Controller's transport options. */
export function registerSimulatedNetwork(air: SimulatedAir, zdoTimeoutMs: number): { path: string; unregister: () => void } {
  install();
  const path = `${SIM_PATH_PREFIX}${randomUUID()}`;
  registrations.set(path, { air, zdoTimeoutMs });
  return { path, unregister: () => registrations.delete(path) };
}

/** True when `adapter` is one of ours (for the hook contract test). */
export function isSimulatedAdapter(adapter: unknown): adapter is SimAdapter {
  return adapter instanceof SimAdapter;
}
