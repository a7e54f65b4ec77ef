// `lockbridge unpair <device_id>`: takes a lock out of the network. Zigbee: the lock is told to leave.
// Z-Wave: a failed lock is removed at once; a lock that answers is excluded (press its button).
// `lockbridge unpair --exclude`: a Z-Wave exclusion for whichever lock's button is pressed (a lock that
// joined without security and never became a device, or one from another network, is reset).
import { parseArgs } from "node:util";
import { EXIT, follow, type Pairing } from "./follow.js";
import { deviceName, openHub, refusal, type HubClient } from "./hub-client.js";
import { DEFAULT_CONFIG } from "./shared.js";

export async function unpair(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: "string", default: DEFAULT_CONFIG }, seconds: { type: "string" }, exclude: { type: "boolean", default: false } },
    strict: true,
  });
  const deviceId = positionals[0];
  if ((!deviceId && !values.exclude) || (deviceId && values.exclude) || positionals.length > 1) {
    process.stderr.write("lockbridge unpair: give the lock's device_id (lockbridge status lists them), or --exclude to reset whichever Z-Wave lock's button is pressed\n");
    return EXIT.usage;
  }
  const hub = openHub(values.config, "unpair");
  if (typeof hub === "number") return hub;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (!deviceId) return exclusion(hub, values.seconds, out, null);
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
  out(`${name ?? deviceId} still answers the hub, so it leaves by exclusion`);
  return exclusion(hub, values.seconds, out, deviceId);
}

/** A Z-Wave exclusion; with `deviceId`, it must be that lock that leaves. */
async function exclusion(hub: HubClient, secondsArg: string | undefined, out: (line: string) => void, deviceId: string | null): Promise<number> {
  const seconds = secondsArg === undefined ? undefined : Number(secondsArg);
  const started = await hub.post("/hub/unpairing/start", { protocol: "zwave", ...(seconds !== undefined ? { timeout_s: seconds } : {}) });
  if (started.status !== 200) {
    process.stderr.write(`lockbridge unpair: the hub refused: ${refusal(started)}\n`);
    return EXIT.refused;
  }
  const code = await follow(hub, started.body.pairing as Pairing, out, { nameOf: (id) => deviceName(hub, id) });
  const final = await hub.post("/hub/pairing/get", { pairing_id: (started.body.pairing as Pairing).pairing_id });
  const devices = ((final.body.pairing as Pairing | undefined)?.device_ids ?? []) as string[];
  if (code === EXIT.ok && deviceId === null && devices.length === 0) out("  a lock that was not a device of this hub was reset; it can be paired now");
  if (code === EXIT.ok && deviceId !== null && !devices.includes(deviceId)) {
    out(devices.length ? "another lock left instead (its button was pressed)" : "no lock of this network left (a lock from no or another network was reset)");
    return EXIT.failed;
  }
  return code;
}
