// `lockbridge init`: a new config with generated ids and keys (mode 0600), and a credentials file beside it.
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseConfigText } from "../config/load.js";
import { writeFileAtomic } from "../util/fs.js";
import { DEFAULT_CONFIG, DEFAULT_DATA_DIR, errMsg, guessRadio, guessZigbeeAdapter, serialAdapters } from "./shared.js";


export async function init(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: "string", default: DEFAULT_CONFIG },
      "data-dir": { type: "string", default: DEFAULT_DATA_DIR },
      force: { type: "boolean", default: false },
      "zwave-port": { type: "string" },
      "zigbee-port": { type: "string" },
      "zigbee-adapter": { type: "string" },
      "cloud-url": { type: "string" },
      listen: { type: "string", default: "127.0.0.1:8787" },
    },
    strict: true,
  });
  const configPath = path.resolve(values.config);
  if (existsSync(configPath) && !values.force) {
    process.stderr.write(
      `lockbridge init: ${configPath} exists; refusing to overwrite it.\n` +
        `  --force writes new ids and keys: locks paired with the old Z-Wave S2 keys or Zigbee network key\n` +
        `  would have to be paired again. Edit the file instead if you only need to change a setting.\n`,
    );
    return 1;
  }

  const adapters = serialAdapters();
  const pick = (flag: string | undefined, radio: "zwave" | "zigbee"): { port: string | null; how: string } => {
    if (flag === "none") return { port: null, how: "disabled (--" + radio + "-port none)" };
    if (flag) return { port: flag, how: "from --" + radio + "-port" };
    const found = adapters.filter((a) => guessRadio(a.path) === radio);
    if (found.length === 1) return { port: found[0]!.path, how: "detected by its USB name; check it" };
    return { port: `/dev/serial/by-id/REPLACE-WITH-${radio.toUpperCase()}-ADAPTER`, how: found.length ? "several candidates: set it" : "no adapter recognised: set it" };
  };
  const zwave = pick(values["zwave-port"], "zwave");
  const zigbee = pick(values["zigbee-port"], "zigbee");
  const key16 = () => randomBytes(16).toString("hex");
  const adapter = values["zigbee-adapter"] ?? (zigbee.port ? guessZigbeeAdapter(zigbee.port) : "zstack");

  const config: Record<string, unknown> = {
    hub_id: randomUUID(),
    workspace_id: randomUUID(),
    connected_account_id: randomUUID(),
    data_dir: path.resolve(values["data-dir"]),
    local_api: { listen: values.listen, api_key: `seam_lk_${randomBytes(24).toString("base64url")}` },
    ...(values["cloud-url"] ? { cloud: { url: values["cloud-url"] } } : {}),
    ...(zwave.port
      ? { zwave: { port: zwave.port, security_keys: { S0_Legacy: key16(), S2_Unauthenticated: key16(), S2_Authenticated: key16(), S2_AccessControl: key16() } } }
      : {}),
    ...(zigbee.port ? { zigbee: { port: zigbee.port, adapter, channel: 15, pan_id: randomInt(1, 0xfffe), network_key: key16() } } : {}),
    metrics: { enabled: false },
    log: { level: "info" },
  };
  const text = JSON.stringify(config, null, 2) + "\n";
  // Validate exactly as the hub will (no environment secrets mixed in).
  try {
    parseConfigText(text, configPath, {});
  } catch (e) {
    process.stderr.write(`lockbridge init: ${errMsg(e)}\n`);
    return 2;
  }
  const dir = path.dirname(configPath);
  // 0755 like the rest of /etc: the service user must reach config.json; the files themselves are 0600.
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileAtomic(configPath, text, 0o600);
  chmodSync(configPath, 0o600);

  const credPath = path.join(dir, "credentials");
  let credNote = "exists, left as it is";
  if (!existsSync(credPath)) {
    writeFileAtomic(
      credPath,
      "# lockbridge secrets, one KEY=VALUE a line; they win over config.json (README: Configuration).\n" +
        "# Under systemd: LoadCredential=lockbridge:/etc/lockbridge/credentials.\n" +
        "# LOCKBRIDGE_CLOUD_TOKEN=...\n",
      0o600,
    );
    credNote = "created (empty; put LOCKBRIDGE_CLOUD_TOKEN=... there)";
  }

  const out: string[] = [
    `wrote ${configPath} (mode 0600)`,
    `  hub_id ${config.hub_id as string}`,
    `  data_dir ${config.data_dir as string}`,
    `  local API ${values.listen}; its key is in the file (not shown here)`,
    `  zwave: ${zwave.port ? `${zwave.port} (${zwave.how}); S0 and S2 keys generated` : zwave.how}`,
    `  zigbee: ${zigbee.port ? `${zigbee.port} (${zigbee.how}); adapter ${adapter}; network key and PAN id generated` : zigbee.how}`,
    `  cloud: ${values["cloud-url"] ? "url set; token goes into the credentials file" : "not configured (add cloud.url for a cloud link)"}`,
    `credentials ${credPath}: ${credNote}`,
    "",
    "serial adapters in /dev/serial/by-id:",
    ...(adapters.length ? adapters.map((a) => `  ${a.path} -> ${a.target}${guessRadio(a.path) ? ` (looks like ${guessRadio(a.path)})` : ""}`) : ["  none found"]),
    "",
    "keep a copy of this file somewhere safe: its radio keys are needed to talk to locks paired with them.",
    `next: lockbridge doctor --config ${configPath}`,
  ];
  process.stdout.write(out.join("\n") + "\n");
  return 0;
}
