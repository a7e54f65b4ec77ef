// `lockbridge unpair <device_id>`: takes a lock out of the network. Zigbee: the lock is told to leave.
// Z-Wave: a failed lock is removed at once; a lock that answers is excluded (press its button).
import { parseArgs } from "node:util";
import { EXIT, follow, type Pairing } from "./follow.js";
import { deviceName, openHub, refusal } from "./hub-client.js";
import { DEFAULT_CONFIG } from "./shared.js";

export async function unpair(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { config: { type: "string", default: DEFAULT_CONFIG }, seconds: { type: "string" } }, strict: true });
  const deviceId = positionals[0];
  if (!deviceId || positionals.length > 1) {
    process.stderr.write("lockbridge unpair: give the lock's device_id (lockbridge status lists them)\n");
    return EXIT.usage;
  }
  const hub = openHub(values.config, "unpair");
  if (typeof hub === "number") return hub;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const name = await deviceName(hub, deviceId);
  const removed = await hub.post("/hub/devices/remove", { device_id: deviceId });
  if (removed.status === 200) {
    const p = removed.body.pairing as Pairing;
    out(`removed ${name ?? deviceId} from the network`);
    return p.status === "succeeded" ? EXIT.ok : EXIT.failed;
  }
  const type = (removed.body.error as { type?: string } | undefined)?.type;
  if (type !== "exclusion_required") {
    process.stderr.write(`lockbridge unpair: the hub refused: ${refusal(removed)}\n`);
    return EXIT.refused;
  }
  // The lock still answers: Z-Wave needs the lock's own button (exclusion).
  const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
  const started = await hub.post("/hub/unpairing/start", { protocol: "zwave", ...(seconds !== undefined ? { timeout_s: seconds } : {}) });
  if (started.status !== 200) {
    process.stderr.write(`lockbridge unpair: the hub refused: ${refusal(started)}\n`);
    return EXIT.refused;
  }
  out(`${name ?? deviceId} still answers the hub, so it leaves by exclusion`);
  const code = await follow(hub, started.body.pairing as Pairing, out, { nameOf: (id) => deviceName(hub, id) });
  const final = await hub.post("/hub/pairing/get", { pairing_id: (started.body.pairing as Pairing).pairing_id });
  const devices = ((final.body.pairing as Pairing | undefined)?.device_ids ?? []) as string[];
  if (code === EXIT.ok && !devices.includes(deviceId)) {
    out(devices.length ? "another lock left instead (its button was pressed)" : "no lock of this network left (a lock from no or another network was reset)");
    return EXIT.failed;
  }
  return code;
}
