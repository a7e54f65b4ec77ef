// Scratch: where the hub's RSS goes (V8 heap vs native vs file-backed), for the c) row investigation.
import { readFileSync } from "node:fs";
import { HubProcess } from "../support/hub-process.js";
import { uniqueCodes } from "./inproc.js";
import { smapsTop } from "./smaps.js";

const nLocks = Number(process.argv[2] ?? 10);
const nCodes = Number(process.argv[3] ?? 250);
const locks = Array.from({ length: nLocks }, (_, i) => ({ protocol: "zwave" as const, name: `L${i}`, slots: 250, code_lengths: [4, 5, 6, 7, 8], checksum: true }));
const hub = new HubProcess({ locks, direct: true, timing: { failure_after_ms: 3_600_000, delay_warning_after_ms: 3_600_000 }, nodeArgs: ["--trace-gc", ...(process.env.HEAPSNAP_DIR ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${process.env.HEAPSNAP_DIR}`] : []), ...(process.env.HUB_NODE_ARGS ?? "").split(" ").filter(Boolean)] });
const rollup = (pid: number) => Object.fromEntries(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").split("\n").filter((l) => /^(Rss|Anonymous|Shared_Clean|Private_Clean|Private_Dirty|Pss_File|Pss_Anon):/.test(l)).map((l) => l.split(/:\s+/)));
await hub.start(120_000);
const pid = hub.proc!.pid!;
await new Promise((r) => setTimeout(r, 4000));
console.log("idle", rollup(pid));
{
  const c = () => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ").slice(11, 13).reduce((a, b) => a + Number(b), 0) * 10;
  const c0 = c();
  await new Promise((r) => setTimeout(r, 6000));
  console.log("no-code idle cpu ms over 6 s:", c() - c0);
}
const devices = [...(await hub.devices()).values()];
const codes = uniqueCodes(nCodes);
for (const d of devices) for (const code of codes) await hub.post("/access_codes/create", { device_id: d.device_id, code });
for (;;) {
  const st = await hub.post("/hub/status", {});
  if ((st.body.hub.access_codes.set ?? 0) >= nLocks * nCodes) break;
  await new Promise((r) => setTimeout(r, 500));
}
const cpu = () => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ").slice(11, 13).reduce((a, b) => a + Number(b), 0) * 10;
await new Promise((r) => setTimeout(r, 3000));
const c0 = cpu();
await new Promise((r) => setTimeout(r, 6000));
console.log("idle cpu ms over 6 s:", cpu() - c0);
console.log("loaded", rollup(pid));
console.log(smapsTop(pid));
if (process.env.HEAPSNAP_DIR) {
  process.kill(pid, "SIGUSR2");
  await new Promise((r) => setTimeout(r, 15000));
}
console.log(hub.logs.split("\n").filter((l) => l.includes("Mark-Compact") || l.includes("Scavenge")).slice(-30).join("\n"));
await hub.cleanup();
