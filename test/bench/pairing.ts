// Issue 13 rows: pairing a factory-new simulated lock through the hub's router, from the lock's button press
// to a usable lock (the pairing `succeeded`, then its first access code `set`), and the radio frames the
// inclusion spent (both ways, counted by the simulation). Z-Wave: S2 Access Control with the PIN typed as
// soon as the hub asks for it; Zigbee: permit join (paired = the window lists the lock). Radio time as given (instant or realistic).
import { performance } from "node:perf_hooks";
import type { LockDriver, RadioTimeSetting } from "../../drivers/contract.js";
import { benchConfig, startInproc, type InprocHub } from "./inproc.js";

type Pairing = { pairing_id: string; status: string; device_ids: string[] };

/** Polls the pairing every 20 ms (the resolution of the row) until `done`; a final status it did not want throws. */
async function until(h: InprocHub, pairingId: string, what: string, done: (p: Pairing) => boolean, ms = 300_000): Promise<Pairing> {
  for (const limit = performance.now() + ms; performance.now() < limit; await new Promise((r) => setTimeout(r, 20))) {
    const p = (await h.call("/hub/pairing/get", { pairing_id: pairingId })).pairing as Pairing & { error?: unknown };
    if (done(p)) return p;
    if (["succeeded", "failed", "stopped", "expired"].includes(p.status)) throw new Error(`bench: pairing ended ${p.status} ${JSON.stringify(p.error ?? {})}, not ${what}`);
  }
  throw new Error(`bench: pairing not ${what} within ${ms} ms`);
}

async function pairOnce(protocol: "zwave" | "zigbee", radioTime: RadioTimeSetting): Promise<Record<string, number>> {
  let drivers: LockDriver[] = [];
  // One configured lock of the radio, so the simulated network runs; the bench pairs a second one.
  const h = await startInproc(benchConfig([{ protocol, name: "Present", slots: 5, code_lengths: [4, 5, 6] }], undefined, {}, { radio_time: radioTime }), {
    onDrivers: (d) => (drivers = d),
  });
  await h.waitLocks(1);
  const simulator = drivers.find((d) => d.protocol === protocol)!.simulator!;
  const label = (await h.call("/hub/simulate/new_lock", { protocol, name: "New", slots: 5, code_lengths: [4, 5, 6] })).lock as { sim_id: string; pin?: string };
  const started = (await h.call("/hub/pairing/start", { protocol })).pairing as Pairing;
  const frames0 = simulator.frameCount();
  const t0 = performance.now();
  await h.call("/hub/simulate/press_button", { sim_id: label.sim_id });
  if (protocol === "zwave") {
    await until(h, started.pairing_id, "pin_needed", (p) => p.status === "pin_needed");
    await h.call("/hub/pairing/provide_pin", { pairing_id: started.pairing_id, pin: label.pin });
  }
  // A Zigbee window stays open for more locks: the lock is paired once the window lists it.
  const done = await until(h, started.pairing_id, "paired", (p) => (protocol === "zwave" ? p.status === "succeeded" : p.device_ids.length === 1));
  const pairedMs = performance.now() - t0;
  const inclusionFrames = simulator.frameCount() - frames0;
  const deviceId = done.device_ids[0]!;
  const code = (await h.call("/access_codes/create", { device_id: deviceId, name: "First", code: "4711" })).access_code as { access_code_id: string };
  await h.waitAll(() => h.hub.store.codes({ deviceId }).find((c) => c.accessCodeId === code.access_code_id)?.status === "set", 300_000);
  const usableMs = performance.now() - t0;
  if (protocol === "zigbee") await h.call("/hub/pairing/stop", { pairing_id: started.pairing_id });
  await h.hub.stop();
  return { pairedMs, usableMs, inclusionFrames };
}

export const pairingModes: Record<string, (args: string[]) => Promise<Record<string, number>>> = {
  pairing: ([protocol, radioTime]) => pairOnce(protocol as "zwave" | "zigbee", (radioTime ?? "instant") as RadioTimeSetting),
};
