#!/usr/bin/env node
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config/load.js";
import { Hub } from "./hub.js";
import { createLogger } from "./log.js";
import { createDrivers } from "./radios.js";
import { enableCompileCache, flushCompileCache } from "./util/compile-cache.js";
import { createSdNotify } from "./util/sd-notify.js";

const STOP_DEADLINE_MS = 4500;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: "string", short: "c" }, pretty: { type: "boolean", default: false } }, strict: true });
  if (!values.config) {
    process.stderr.write("usage: lockbridge-agent --config <file> [--pretty]\n");
    process.exit(2);
  }
  let config;
  try {
    config = loadConfig(values.config);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`lockbridge: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  // Before the radio stacks are imported: zwave-js is most of the start-up time (docs/benchmarks.md, d).
  const compileCache = enableCompileCache(path.join(config.data_dir, "compile-cache"));
  const logger = createLogger({ level: config.log.level, pretty: values.pretty });
  const hub = new Hub(config, { logger, drivers: () => createDrivers(config, logger) });
  // systemd Type=notify: no-op unless NOTIFY_SOCKET is set (systemd/lockbridge.service).
  const notify = createSdNotify({ onError: (reason) => logger.warn({ reason }, "systemd notification failed") });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    notify.stopping();
    const deadline = setTimeout(() => {
      logger.warn({}, "stop deadline reached; exiting");
      process.exit(0);
    }, STOP_DEADLINE_MS);
    hub
      .stop()
      .then(() => {
        clearTimeout(deadline);
        logger.info({}, "stopped");
        logger.flush?.();
        setImmediate(() => process.exit(0));
      })
      .catch((e: unknown) => {
        logger.error({ reason: e instanceof Error ? e.message : String(e) }, "error while stopping");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("unhandledRejection", (reason) => logger.error({ reason: reason instanceof Error ? reason.message : String(reason) }, "unhandled rejection"));
  await hub.start();
  // The local API is listening: tell systemd, and start the watchdog pings.
  if (!stopping) notify.ready(`local API on ${hub.http.address ? `${hub.http.address.host}:${hub.http.address.port}` : config.local_api.listen}`);
  logger.info({ hub_id: config.hub_id, listen: hub.http.address, cloud: Boolean(hub.cloud), locks: config.simulation?.locks.length ?? 0, compile_cache: compileCache }, "lockbridge started");
  flushCompileCache();
  if (values.pretty) printWelcome(config.local_api.api_key, hub.http.address);
}

/** For `npm start` only (interactive development): how to call the hub. Production never prints the key. */
function printWelcome(apiKey: string, addr: { host: string; port: number } | null): void {
  const endpoint = `http://${addr?.host ?? "127.0.0.1"}:${addr?.port ?? 8787}`;
  process.stderr.write(
    [
      "",
      `lockbridge is up. Local API: ${endpoint}`,
      `API key: ${apiKey}`,
      "",
      "Try it:",
      `  curl -s -X POST ${endpoint}/devices/list -H 'Authorization: Bearer ${apiKey}' -H 'content-type: application/json' -d '{}'`,
      "",
      "Or with the official Seam SDK (npm i @seamapi/http):",
      `  const { SeamHttp } = await import("@seamapi/http/connect");`,
      `  const seam = new SeamHttp({ apiKey: "${apiKey}", endpoint: "${endpoint}" });`,
      `  const [lock] = await seam.devices.list();`,
      `  await seam.accessCodes.create({ device_id: lock.device_id, name: "Guest" });`,
      "",
    ].join("\n") + "\n",
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`lockbridge: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
