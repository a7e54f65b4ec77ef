#!/usr/bin/env node
// The installer's tool: `lockbridge <command>` (docs/install.md), one file per command.
// Never prints the local API key, the cloud token or a radio key.
import { doctor } from "./doctor.js";
import { init } from "./init.js";
import { DEFAULT_CONFIG, DEFAULT_DATA_DIR, errMsg, version } from "./shared.js";
import { status } from "./status.js";

const USAGE = `usage: lockbridge <command> [options]

commands:
  init    [--config ${DEFAULT_CONFIG}] [--data-dir ${DEFAULT_DATA_DIR}] [--force]
          [--zwave-port <path>|none] [--zigbee-port <path>|none] [--zigbee-adapter <name>]
          [--cloud-url <wss://...>] [--listen 127.0.0.1:8787]
          write a new config with generated ids and keys (mode 0600)
  doctor  [--config ${DEFAULT_CONFIG}]   check the installation; exits 1 on any FAIL
  status  [--config ${DEFAULT_CONFIG}] [--json]   what the running hub reports
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
