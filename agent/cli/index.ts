#!/usr/bin/env node
// The installer's tool: `lockbridge <command>` (docs/install.md), one file per command.
// Never prints the local API key, the cloud token or a radio key.
import { doctor } from "./doctor.js";
import { init } from "./init.js";
import { pair } from "./pair.js";
import { replace } from "./replace.js";
import { DEFAULT_CONFIG, DEFAULT_DATA_DIR, errMsg, version } from "./shared.js";
import { status } from "./status.js";
import { unpair } from "./unpair.js";

const USAGE = `usage: lockbridge <command> [options]

commands:
  init    [--config ${DEFAULT_CONFIG}] [--data-dir ${DEFAULT_DATA_DIR}] [--force]
          [--zwave-port <path>|none] [--zigbee-port <path>|none] [--zigbee-adapter <name>]
          [--cloud-url <wss://...>] [--listen 127.0.0.1:8787]
          write a new config with generated ids and keys (mode 0600)
  doctor  [--config ${DEFAULT_CONFIG}]   check the installation; exits 1 on any FAIL
  status  [--config ${DEFAULT_CONFIG}] [--json]   what the running hub reports
  pair    zwave [--dsk <dsk> | --qr <qr code>] [--strategy default|s2|s0|insecure] [--seconds N]
          zigbee [--seconds N] [--install-code <code>] [--keep-open]
          pair a lock: press its button when asked; the PIN is asked for when the lock needs it
  unpair  <device_id> [--seconds N]   take a lock out of the network (exclusion if it still answers)
          --exclude                    reset whichever Z-Wave lock's button is pressed (not a device yet)
  replace <device_id> [--dsk <dsk>]   put a new Z-Wave lock in a failed one's place (same device, same codes)
          pair/unpair/replace exit 0 done, 3 refused by the hub, 4 no lock in time, 5 wrong PIN,
          6 joined without security (exclude it), 7 other failure, 130 interrupted (docs/install.md)
`;

async function main(): Promise<number> {
  const [cmd, ...rest] = process.argv.slice(2);
  switch (cmd) {
    case "init":
      return init(rest);
    case "doctor":
      return doctor(rest);
    case "status":
      return status(rest);
    case "pair":
      return pair(rest);
    case "unpair":
      return unpair(rest);
    case "replace":
      return replace(rest);
    case "--version":
    case "version":
      process.stdout.write(`${version()}\n`);
      return 0;
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      process.stderr.write(`lockbridge: unknown command "${cmd}"\n${USAGE}`);
      return 2;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const bad = e instanceof TypeError && (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    process.stderr.write(`lockbridge: ${errMsg(e)}\n${bad ? USAGE : ""}`);
    process.exitCode = bad ? 2 : 1;
  },
);
