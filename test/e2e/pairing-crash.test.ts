// Issue 13: kill -9 of the hub process in the middle of pairing. After the restart there is no half-added
// device, the interrupted pairing says it ended, the radio pairs again, and a lock that had finished
// joining before the kill shows up as a device.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HubProcess } from "../support/hub-process.js";
import { startPairingHub, type PairingClient } from "../support/pairing-client.js";
import { sleep, waitFor } from "../support/ports.js";

let hub: HubProcess;
let pair: PairingClient;

beforeAll(async () => {
  ({ hub, pair } = await startPairingHub([{ protocol: "zwave", name: "Front", slots: 4 }, { protocol: "zigbee", name: "Back", slots: 4 }]));
});

afterAll(async () => {
  const logs = hub?.logs ?? "";
  await hub?.cleanup();
  expect(pair?.leaks(logs) ?? [], "a label secret reached a hub log line").toEqual([]);
});

const deviceIds = async () => ((await pair.call("/devices/list", {})).devices as Array<Record<string, any>>).map((d) => d.device_id as string).sort();

/** kill -9, then start again on the same data directory, until both radios are up. */
async function crashAndRestart(): Promise<void> {
  hub.kill9();
  await hub.stop();
  await hub.start();
  await waitFor(async () => {
    const radios = (await pair.call("/hub/status", {})).hub.radios as Record<string, { locks: number }>;
    return (radios.zwave?.locks ?? 0) > 0 && (radios.zigbee?.locks ?? 0) > 0;
  }, "both radios up", 60_000);
}

describe("kill -9 during pairing", () => {
  it("Z-Wave, during the key exchange: no device, the pairing ended, and the hub pairs again", async () => {
    const before = await deviceIds();
    const label = await pair.newLock({ protocol: "zwave", name: "Half", slots: 4 });
    const started = await pair.start({ protocol: "zwave" });
    await pair.press({ sim_id: label.sim_id });
    await pair.until(started.pairing_id, ["pin_needed"]);
    await crashAndRestart();
    const after = await pair.get(started.pairing_id);
    expect(after.status).toBe("failed");
    expect(after.error.message).toMatch(/restarted/);
    // The lock joined the network but holds no keys: it is never a device.
    await sleep(2_000);
    expect(await deviceIds()).toEqual(before);
    const next = await pair.includeWithPin(await pair.newLock({ protocol: "zwave", name: "After crash", slots: 4 }));
    expect(next.device_ids).toHaveLength(1);
  });

  it("Z-Wave, during the interview: the lock had finished joining, so it shows up after the restart", async () => {
    const before = await deviceIds();
    const label = await pair.newLock({ protocol: "zwave", name: "Interviewed", slots: 4 });
    const started = await pair.start({ protocol: "zwave", dsk: label.dsk });
    await pair.press({ sim_id: label.sim_id });
    await pair.until(started.pairing_id, ["interviewing"], 20_000);
    await crashAndRestart();
    const joined = await waitFor(async () => (await deviceIds()).find((id) => !before.includes(id)), "the interviewed lock as a device", 30_000);
    const device = (await pair.call("/devices/get", { device_id: joined })).device;
    expect(device.display_name).toBe("Interviewed");
    expect((await pair.get(started.pairing_id)).status).toBe("failed");
    const code = (await pair.call("/access_codes/create", { device_id: joined, name: "after", code: "4242" })).access_code.access_code_id as string;
    await waitFor(async () => (await pair.call("/access_codes/get", { access_code_id: code })).access_code.status === "set", "code set on the recovered lock");
  });

  it("Zigbee, right after the lock joined: it shows up after the restart; the window is closed", async () => {
    const before = await deviceIds();
    const label = await pair.newLock({ protocol: "zigbee", name: "Joined", slots: 4 });
    const started = await pair.start({ protocol: "zigbee", timeout_s: 60 });
    expect(await pair.press({ sim_id: label.sim_id })).toBe("joined");
    await crashAndRestart();
    await waitFor(async () => (await deviceIds()).length === before.length + 1, "the joined Zigbee lock as a device", 30_000);
    expect((await pair.get(started.pairing_id)).status).toBe("failed");
    const late = await pair.newLock({ protocol: "zigbee", name: "Late", slots: 4 });
    expect(await pair.press({ sim_id: late.sim_id })).toBe("none");
    const again = await pair.start({ protocol: "zigbee", timeout_s: 30 });
    expect(await pair.press({ sim_id: late.sim_id })).toBe("joined");
    await waitFor(async () => (await pair.get(again.pairing_id)).device_ids.length === 1, "paired after the crash");
  });
});
