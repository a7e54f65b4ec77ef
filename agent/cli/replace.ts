// `lockbridge replace <device_id> [--dsk <dsk>]`: a failed Z-Wave lock is replaced by a new one in its place;
// the new lock keeps the device_id and gets every code of the old one, programmed again.
import { parseArgs } from "node:util";
import { EXIT, follow, type Pairing } from "./follow.js";
import { deviceName, openHub, refusal, type HubClient } from "./hub-client.js";
import { DEFAULT_CONFIG } from "./shared.js";

const CODES_WAIT_MS = 120_000;

export async function replace(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { config: { type: "string", default: DEFAULT_CONFIG }, dsk: { type: "string" } }, strict: true });
  const deviceId = positionals[0];
  if (!deviceId || positionals.length > 1) {
    process.stderr.write("lockbridge replace: give the failed lock's device_id (lockbridge status lists them)\n");
    return EXIT.usage;
  }
  const hub = openHub(values.config, "replace");
  if (typeof hub === "number") return hub;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const started = await hub.post("/hub/devices/replace", { device_id: deviceId, ...(values.dsk !== undefined ? { dsk: values.dsk } : {}) });
  if (started.status !== 200) {
    process.stderr.write(`lockbridge replace: the hub refused: ${refusal(started)}\n`);
    return EXIT.refused;
  }
  out(`replacing ${(await deviceName(hub, deviceId)) ?? deviceId}`);
  const code = await follow(hub, started.body.pairing as Pairing, out, { nameOf: (id) => deviceName(hub, id) });
  if (code !== EXIT.ok) return code;
  return codesProgrammed(hub, deviceId, out);
}

/** Waits until every access code of the device is set on the new lock. */
async function codesProgrammed(hub: HubClient, deviceId: string, out: (line: string) => void): Promise<number> {
  const deadline = Date.now() + CODES_WAIT_MS;
  let shown = "";
  while (Date.now() < deadline) {
    const list = await hub.post("/access_codes/list", { device_id: deviceId });
    const codes = (list.body.access_codes ?? []) as Array<{ status: string }>;
    const set = codes.filter((c) => c.status === "set" || c.status === "unset").length;
    const line = `access codes on the new lock: ${set} of ${codes.length}`;
    if (line !== shown) out(`  ${(shown = line)}`);
    if (set === codes.length) return EXIT.ok;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  out("  some codes are not on the new lock yet; the hub keeps programming them (lockbridge status)");
  return EXIT.failed;
}
