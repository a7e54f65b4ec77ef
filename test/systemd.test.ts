// systemd/lockbridge.service: systemd-analyze verify and security, and the notify protocol
// (agent/util/sd-notify.ts) spoken by the compiled hub to a stand-in for the service manager.
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { productionNodeFlags } from "./support/hub-process.js";
import { afterAll, describe, expect, it } from "vitest";
import { createSdNotify, watchdogInterval } from "../agent/util/sd-notify.js";
import { HubProcess } from "./support/hub-process.js";
import { waitFor } from "./support/ports.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const UNIT = path.join(ROOT, "systemd/lockbridge.service");
const tmp = mkdtempSync(path.join(tmpdir(), "lockbridge-systemd-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The tool must be there: a missing tool is a failure that says how to install it, never a skip. */
function need(cmd: string, install: string): string {
  try {
    return execFileSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(`${cmd} is not installed on this machine: ${install} (.ci/run does this)`);
  }
}

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 60_000, env: { ...process.env, SYSTEMD_COLORS: "0", SYSTEMD_PAGER: "" } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

/** Unit file as key -> values (repeated keys keep every value; an empty assignment is ""). */
function parseUnit(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      continue;
    }
    const i = line.indexOf("=");
    const key = `${section}.${line.slice(0, i).trim()}`;
    out.set(key, [...(out.get(key) ?? []), line.slice(i + 1).trim()]);
  }
  return out;
}

/** A copy of the unit whose ExecStart points at this machine's node and this checkout's dist. */
function localUnit(extra = ""): string {
  const dir = mkdtempSync(path.join(tmp, "unit-"));
  const text = readFileSync(UNIT, "utf8")
    .replace("ExecStart=/usr/bin/node ", `ExecStart=${process.execPath} `)
    .replace("/opt/lockbridge/dist/agent/main.js", path.join(ROOT, "dist/agent/main.js"))
    .replace("[Install]", `${extra}[Install]`);
  const file = path.join(dir, "lockbridge.service");
  writeFileSync(file, text);
  return file;
}

/** What systemd-analyze verify says about our unit (other units on the machine may be noisy). */
const aboutUs = (out: string) => out.split("\n").filter((l) => /lockbridge/.test(l));

describe("systemd/lockbridge.service", () => {
  const unit = parseUnit(readFileSync(UNIT, "utf8"));
  const one = (k: string) => {
    const v = unit.get(k);
    expect(v, `${k} is set`).toBeDefined();
    return v!.at(-1)!;
  };

  it("runs the compiled hub with plain node under a notify/watchdog service with the required settings", () => {
    expect(one("Service.ExecStart")).toMatch(/^\/usr\/bin\/node (--[a-z-]+=\d+ )*\/opt\/lockbridge\/dist\/agent\/main\.js --config \/etc\/lockbridge\/config\.json$/);
    // The unit runs node with the same flags as `npm run agent` (and the benchmarks that measure it).
    expect(one("Service.ExecStart").split(" ").slice(1, -3)).toEqual(productionNodeFlags());
    expect(one("Service.Type")).toBe("notify");
    expect(one("Service.NotifyAccess")).toBe("all");
    expect(one("Service.WatchdogSec")).toMatch(/^\d+s?$/);
    expect(one("Service.TimeoutStopSec")).toMatch(/^10s?$/);
    expect(one("Service.Restart")).toBe("on-failure");
    expect(one("Service.StateDirectory")).toBe("lockbridge");
    expect(one("Service.User")).toBe("lockbridge");
    expect(one("Service.SupplementaryGroups")).toBe("dialout");
    expect(one("Service.LoadCredential")).toBe("lockbridge:/etc/lockbridge/credentials");
    // The fallback when the file is missing must carry no KEY=VALUE line.
    expect(one("Service.SetCredential")).toMatch(/^lockbridge:#/);
    expect(unit.get("Service.DeviceAllow")).toEqual(expect.arrayContaining(["char-ttyUSB rw", "char-ttyACM rw"]));
    expect(one("Service.DevicePolicy")).toBe("closed");
    expect(one("Service.PrivateDevices")).toMatch(/^(no|false)$/);
    expect(one("Service.UMask")).toBe("0077");
    expect(one("Service.CapabilityBoundingSet")).toBe("");
    expect(one("Service.RestrictAddressFamilies").split(/\s+/).sort()).toEqual(["AF_INET", "AF_INET6", "AF_UNIX"]);
    expect(unit.get("Service.IPAddressDeny")).toEqual(["any"]);
    expect(unit.get("Service.IPAddressAllow")).toContain("localhost");
    for (const k of ["NoNewPrivileges", "ProtectHome", "PrivateTmp", "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock", "ProtectHostname", "RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID", "LockPersonality"]) {
      expect(one(`Service.${k}`), k).toBe("yes");
    }
    expect(one("Service.ProtectSystem")).toBe("strict");
    expect(one("Service.SystemCallArchitectures")).toBe("native");
    expect(unit.get("Service.SystemCallFilter")!.join(" ")).toMatch(/@system-service.*~@privileged @resources/);
    // V8's JIT needs writable+executable mappings: MemoryDenyWriteExecute must stay off.
    expect(unit.get("Service.MemoryDenyWriteExecute") ?? ["no"]).not.toContain("yes");
    expect(unit.get("Service.MemoryDenyWriteExecute") ?? ["no"]).not.toContain("true");
  });

  it("passes systemd-analyze verify (ExecStart pointed at this machine's node and dist)", async () => {
    need("systemd-analyze", "apt-get install -y systemd");
    expect(existsSync(path.join(ROOT, "dist/agent/main.js")), "dist/agent/main.js (npm run build)").toBe(true);
    const r = await run("systemd-analyze", ["verify", localUnit()]);
    expect(aboutUs(r.out), r.out).toEqual([]);
    expect(r.code, r.out).toBe(0);

    // The check has teeth: a misspelt key or a missing binary is reported.
    const bad = await run("systemd-analyze", ["verify", localUnit("NotAKey=1\n")]);
    expect(aboutUs(bad.out).join("\n")).toMatch(/Unknown key 'NotAKey'/);
    const missing = localUnit();
    writeFileSync(missing, readFileSync(missing, "utf8").replace(`ExecStart=${process.execPath}`, "ExecStart=/nonexistent/node"));
    const r2 = await run("systemd-analyze", ["verify", missing]);
    expect(r2.code).not.toBe(0);
    expect(r2.out).toMatch(/\/nonexistent\/node is not executable/);
  });

  it("has an overall exposure of at most 2.0 in systemd-analyze security --offline=true", async () => {
    need("systemd-analyze", "apt-get install -y systemd");
    const r = await run("systemd-analyze", ["security", "--offline=true", UNIT]);
    expect(r.code, r.out).toBe(0);
    const m = /Overall exposure level for lockbridge\.service:\s*([\d.]+)/.exec(r.out);
    expect(m, `no "Overall exposure level" line in:\n${r.out}`).not.toBeNull();
    const exposure = Number(m![1]);
    expect(exposure).toBeGreaterThanOrEqual(0);
    expect(exposure, r.out).toBeLessThanOrEqual(2.0);
  });
});

describe("sd-notify", () => {
  it("is a no-op without NOTIFY_SOCKET", () => {
    const sent: string[][] = [];
    const n = createSdNotify({ env: {}, run: async (a) => void sent.push([...a]) });
    n.ready("x");
    n.status("y");
    n.stopping();
    expect(n.enabled).toBe(false);
    expect(n.watchdogIntervalMs).toBeNull();
    expect(sent).toEqual([]);
  });

  it("pings at half of WATCHDOG_USEC, only for the PID systemd names", () => {
    expect(watchdogInterval({ WATCHDOG_USEC: "30000000" })).toBe(15_000);
    expect(watchdogInterval({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "42" }, 42)).toBe(15_000);
    expect(watchdogInterval({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "43" }, 42)).toBeNull();
    expect(watchdogInterval({})).toBeNull();
    expect(watchdogInterval({ WATCHDOG_USEC: "0" })).toBeNull();
  });

  it("sends READY, WATCHDOG and STOPPING, and reports a failure once", async () => {
    const sent: string[] = [];
    const errors: string[] = [];
    const n = createSdNotify({
      env: { NOTIFY_SOCKET: "/run/x", WATCHDOG_USEC: "40000" },
      run: async (a) => {
        sent.push(a.join(" "));
        throw new Error("boom");
      },
      onError: (m) => errors.push(m),
    });
    expect(n.watchdogIntervalMs).toBe(20);
    n.ready("up");
    await waitFor(() => sent.filter((s) => s === "WATCHDOG=1").length >= 2, "two watchdog pings", 2000, 5);
    n.stopping();
    const count = sent.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(sent[0]).toBe("READY=1 STATUS=up");
    expect(sent.at(-1)).toBe("STOPPING=1");
    expect(sent.length).toBe(count); // no pings after STOPPING
    expect(errors).toEqual(["boom"]);
  });

  it("the compiled hub notifies a real notify socket through systemd-notify: READY once listening, WATCHDOG pings, STOPPING", async () => {
    need("systemd-notify", "apt-get install -y systemd");
    const python = need("python3", "apt-get install -y python3");
    const sock = path.join(mkdtempSync(path.join(tmp, "n-")), "notify.sock");
    // The service manager's end: a unix datagram socket. recv() without ancillary data drops the
    // BARRIER=1 fd systemd-notify sends, which is what lets it return.
    const receiver = `
import socket, sys
port = int(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("LISTENING", flush=True)
while True:
    msg = s.recv(65536).decode()
    for line in msg.split("\\n"):
        if line == "READY=1":
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                print("API_UP_AT_READY", flush=True)
            except OSError:
                print("API_DOWN_AT_READY", flush=True)
        print(line, flush=True)
`;
    const hub = new HubProcess({ direct: true, locks: [{ protocol: "zwave", name: "Front door", slots: 5 }], env: { NOTIFY_SOCKET: sock, WATCHDOG_USEC: "600000" } });
    await hub.writeConfig();
    let py: ChildProcess | null = null;
    let got = "";
    try {
      py = spawn(python, ["-c", receiver, sock, String(hub.port)], { stdio: ["ignore", "pipe", "pipe"] });
      py.stdout!.on("data", (d: Buffer) => (got += d.toString()));
      py.stderr!.on("data", (d: Buffer) => (got += d.toString()));
      await waitFor(() => got.includes("LISTENING"), "the notify receiver");
      await hub.start();
      await waitFor(() => got.includes("READY=1"), "READY=1", 30_000);
      expect(got).toContain("API_UP_AT_READY");
      expect(got).toMatch(/^STATUS=local API on 127\.0\.0\.1:\d+$/m);
      await waitFor(() => (got.match(/^WATCHDOG=1$/gm) ?? []).length >= 2, "two WATCHDOG=1 pings (every 300 ms)", 10_000);
      const stopped = await hub.stop();
      expect(stopped).toEqual({ graceful: true, code: 0 });
      await waitFor(() => got.includes("STOPPING=1"), "STOPPING=1", 5000);
      expect(got.indexOf("READY=1")).toBeLessThan(got.indexOf("STOPPING=1"));
      expect(hub.logs).not.toMatch(/systemd notification failed/);
    } finally {
      py?.kill();
      await hub.cleanup();
    }
  });
});

describe("start-up", () => {
  it("the compiled hub keeps V8's compile cache in its data dir where Node has one (>= 22.1), and says so", async () => {
    const hub = new HubProcess({ direct: true, locks: [{ protocol: "zwave", name: "Front door", slots: 5 }] });
    try {
      await hub.start();
      await waitFor(() => hub.logs.includes("lockbridge started"), "started", 30_000);
      expect((await hub.stop()).graceful).toBe(true);
      const dir = path.join(hub.dataDir, "compile-cache");
      const started = hub.logs.split("\n").find((l) => l.includes("lockbridge started"))!;
      const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
      if (major > 22 || (major === 22 && minor >= 1)) {
        expect(JSON.parse(started).compile_cache).toContain(dir);
        // zwave-js's modules among what was compiled and kept.
        expect(readdirSync(dir, { recursive: true }).length).toBeGreaterThan(100);
      } else {
        expect(JSON.parse(started).compile_cache).toBeNull();
        expect(existsSync(dir)).toBe(false);
      }
    } finally {
      await hub.cleanup();
    }
  });
});
