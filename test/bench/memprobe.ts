// Where the compiled hub's memory goes: `node dist/test/bench/memprobe.js [locks] [codes]`.
// Starts the hub as production does (plus --trace-gc), programs the codes, then prints RSS by mapping,
// CPU used while idle, and V8's last GC lines (live heap vs committed). HEAPSNAP_DIR=<dir> also writes
// a heap snapshot; HUB_NODE_ARGS="..." adds node flags to try.
import { readFileSync } from "node:fs";
import { HubProcess } from "../support/hub-process.js";
import { uniqueCodes } from "./inproc.js";
import { smapsTop } from "./smaps.js";

const nLocks = Number(process.argv[2] ?? 10);
const nCodes = Number(process.argv[3] ?? 250);
const snapshotDir = process.env.HEAPSNAP_DIR;
const extraArgs = (process.env.HUB_NODE_ARGS ?? "").split(" ").filter(Boolean);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const locks = Array.from({ length: nLocks }, (_, i) => ({ protocol: "zwave" as const, name: `L${i}`, slots: 250, code_lengths: [4, 5, 6, 7, 8], checksum: true }));
const hub = new HubProcess({
  locks,
  direct: true,
  timing: { failure_after_ms: 3_600_000, delay_warning_after_ms: 3_600_000 },
  nodeArgs: ["--trace-gc", ...(snapshotDir ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${snapshotDir}`] : []), ...extraArgs],
});

/** CPU time (user + system) of a process in ms, from /proc (clock ticks of 10 ms). */
const cpuMs = (pid: number) => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ").slice(11, 13).reduce((a, b) => a + Number(b), 0) * 10;
async function idleCpu(pid: number, ms: number): Promise<number> {
  const c0 = cpuMs(pid);
  await sleep(ms);
  return cpuMs(pid) - c0;
}

await hub.start(120_000);
const pid = hub.proc!.pid!;
await sleep(4000);
console.log(`no codes: RSS by mapping\n${smapsTop(pid)}\nCPU over 6 s (first sync may still run): ${await idleCpu(pid, 6000)} ms`);
const devices = [...(await hub.devices()).values()];
const codes = uniqueCodes(nCodes);
for (const d of devices) for (const code of codes) await hub.post("/access_codes/create", { device_id: d.device_id, code });
for (;;) {
  const st = await hub.post("/hub/status", {});
  if ((st.body.hub.access_codes.set ?? 0) >= nLocks * nCodes) break;
  await sleep(500);
}
await sleep(3000);
console.log(`${nLocks} x ${nCodes} codes set: RSS by mapping\n${smapsTop(pid)}\nCPU over 6 s idle: ${await idleCpu(pid, 6000)} ms`);
if (snapshotDir) {
  process.kill(pid, "SIGUSR2");
  await sleep(15_000);
}
console.log(hub.logs.split("\n").filter((l) => l.includes("Mark-Compact") || l.includes("Scavenge")).slice(-8).join("\n"));
await hub.cleanup();
