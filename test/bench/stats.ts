import { readFileSync } from "node:fs";

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** A /proc/<pid>/status memory field in MB: VmRSS (resident now) or VmHWM (peak). */
function procMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size of a process in MB (what a Pi's OOM killer looks at). */
export const rssMb = (pid: number = process.pid) => procMb(pid, "VmRSS");
/** Peak resident set size in MB. */
export const peakRssMb = (pid: number = process.pid) => procMb(pid, "VmHWM");

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Steady-state RSS: quiet for 3 s, then the lowest of 12 samples over 6 s (after V8's own GCs), same for both sides. */
export async function steadyRss(pid: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 3000));
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 12; i++) {
    min = Math.min(min, rssMb(pid));
    await new Promise((r) => setTimeout(r, 500));
  }
  return min;
}

/**
 * "median (min-max)" of repeated measurements, each divided by `scale`: how a timed row reports its
 * spread. One value prints without a range.
 */
export function withSpread(values: readonly number[], digits = 2, scale = 1, unit = ""): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return "n/a";
  const m = `${fmt(median(finite) / scale, digits)}${unit}`;
  if (finite.length < 2) return m;
  return `${m} (${fmt(Math.min(...finite) / scale, digits)}-${fmt(Math.max(...finite) / scale, digits)})`;
}

/** Per-run ratios ours[i] / theirs[i] (runs paired by index). */
export const ratios = (ours: readonly number[], theirs: readonly number[]): number[] => ours.map((o, i) => o / theirs[i]!);
