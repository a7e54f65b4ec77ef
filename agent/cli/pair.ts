// `lockbridge pair zwave [--dsk <dsk> | --qr <code>]` and `lockbridge pair zigbee [--seconds N] [--install-code <code>]`:
// opens a pairing window on the running hub and follows it until the lock is paired (docs/install.md).
import { parseArgs } from "node:util";
import { EXIT, follow, type Pairing } from "./follow.js";
import { deviceName, openHub, refusal, type HubClient } from "./hub-client.js";
import { DEFAULT_CONFIG } from "./shared.js";

const SMART_START_WAIT_S = 300;

export async function pair(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: "string", default: DEFAULT_CONFIG },
      dsk: { type: "string" },
      qr: { type: "string" },
      strategy: { type: "string" },
      seconds: { type: "string" },
      "install-code": { type: "string" },
      "keep-open": { type: "boolean", default: false },
    },
    strict: true,
  });
  const protocol = positionals[0];
  if ((protocol !== "zwave" && protocol !== "zigbee") || positionals.length > 1) {
    process.stderr.write("lockbridge pair: say which radio: `lockbridge pair zwave` or `lockbridge pair zigbee`\n");
    return EXIT.usage;
  }
  if (protocol === "zwave" && (values["install-code"] !== undefined || values["keep-open"])) {
    process.stderr.write("lockbridge pair zwave: --install-code and --keep-open are for Zigbee\n");
    return EXIT.usage;
  }
  if (protocol === "zigbee" && (values.dsk !== undefined || values.qr !== undefined || values.strategy !== undefined)) {
    process.stderr.write("lockbridge pair zigbee: --dsk, --qr and --strategy are for Z-Wave\n");
    return EXIT.usage;
  }
  if (values.dsk !== undefined && values.qr !== undefined) {
    process.stderr.write("lockbridge pair zwave: give --dsk or --qr, not both\n");
    return EXIT.usage;
  }
  const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
  if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 1)) {
    process.stderr.write("lockbridge pair: --seconds must be a whole number of seconds\n");
    return EXIT.usage;
  }
  const hub = openHub(values.config, "pair");
  if (typeof hub === "number") return hub;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (values.qr !== undefined) return smartStart(hub, values.qr, out);
  const body: Record<string, unknown> = { protocol, ...(seconds !== undefined ? { timeout_s: seconds } : {}) };
  if (values.dsk !== undefined) body.dsk = values.dsk;
  if (values.strategy !== undefined) body.strategy = values.strategy;
  if (values["install-code"] !== undefined) body.install_code = values["install-code"];
  const started = await hub.post("/hub/pairing/start", body);
  if (started.status !== 200) {
    process.stderr.write(`lockbridge pair: the hub refused: ${refusal(started)}\n`);
    return EXIT.refused;
  }
  const pairing = started.body.pairing as Pairing;
  out(`pairing ${pairing.pairing_id} (${protocol === "zwave" ? "Z-Wave inclusion" : "Zigbee permit join"}${values["install-code"] ? ", install code given" : ""}${values.dsk ? ", DSK given" : ""})`);
  // A Zigbee window would stay open for more locks; the installer pairing one lock is done when it joined.
  const firstOnly = protocol === "zigbee" && !values["keep-open"];
  return follow(hub, pairing, out, { onChange: (p) => firstOnly && p.device_ids.length > 0, nameOf: (id) => deviceName(hub, id) });
}

/** SmartStart: the QR code goes on the provisioning list; the lock joins by itself once powered. */
async function smartStart(hub: HubClient, qr: string, out: (line: string) => void): Promise<number> {
  const added = await hub.post("/hub/smart_start/add", { qr_code: qr });
  if (added.status !== 200) {
    process.stderr.write(`lockbridge pair: the hub refused the QR code: ${refusal(added)}\n`);
    return EXIT.refused;
  }
  const entry = added.body.provisioning_entry as { dsk: string; device_id?: string };
  out(`provisioned (DSK ${entry.dsk}): power the lock on; it joins by itself (waiting up to ${SMART_START_WAIT_S} s)`);
  const deadline = Date.now() + SMART_START_WAIT_S * 1000;
  while (Date.now() < deadline) {
    const list = await hub.post("/hub/smart_start/list", {});
    const found = ((list.body.provisioning_entries ?? []) as Array<{ dsk: string; device_id?: string }>).find((e) => e.dsk === entry.dsk);
    if (found?.device_id) {
      const ready = await hub.post("/devices/get", { device_id: found.device_id });
      if (ready.status === 200) {
        out(`done: the lock is paired`);
        out(`  paired: device ${found.device_id} (${(ready.body.device as { display_name?: string } | undefined)?.display_name ?? "?"})`);
        return EXIT.ok;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  out("the lock has not joined yet; it stays provisioned and joins whenever it is powered near the hub");
  return EXIT.noLock;
}
