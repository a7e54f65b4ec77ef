// RSS by mapping (file name, [heap], or anonymous), biggest first: memprobe and BENCH_SMAPS print it.
import { readFileSync } from "node:fs";

export function smapsTop(pid: number, n = 12): string {
  const text = readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n");
  const byName = new Map<string, number>();
  let name = "";
  for (const line of text) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) name = head[1] || "[anon]";
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) byName.set(name, (byName.get(name) ?? 0) + Number(rss[1]));
  }
  return [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${(v / 1024).toFixed(1).padStart(7)} MB ${k}`).join("\n");
}
