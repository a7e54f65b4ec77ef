// Bench rows of the installer page: bytes of the first view, and what the page costs the hub in RSS
// while open and idle, and after it closed (docs/benchmarks.md). Debian's Chromium via playwright-core.
import type { Page } from "playwright-core";
import { launchBrowser } from "../support/browser.js";
import { HubProcess } from "../support/hub-process.js";
import { steadyRss } from "./stats.js";

const DEFAULT_LOCKS = [
  { protocol: "zwave" as const, name: "Front door", slots: 30, code_lengths: [4, 5, 6, 7, 8], checksum: true, native_scheduling: true },
  { protocol: "zwave" as const, name: "Garage", slots: 5, code_lengths: [4, 5, 6], checksum: false },
  { protocol: "zigbee" as const, name: "Back door", slots: 20, code_lengths: [4, 5, 6, 7, 8] },
];

async function logIn(page: Page, hub: HubProcess): Promise<void> {
  await page.locator('input[name="api_key"]').fill(hub.apiKey);
  await page.getByRole("button", { name: "Open" }).click();
  await page.getByRole("heading", { level: 1, name: "Hub" }).waitFor();
  await page.getByText("Live", { exact: true }).waitFor();
}

/** Bytes over the wire (headers included) of every request the page made so far, from Resource Timing. */
async function transferred(page: Page): Promise<{ total: number; assets: number; api: number }> {
  return page.evaluate(() => {
    const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")] as PerformanceResourceTiming[];
    let assets = 0;
    let api = 0;
    for (const e of entries) {
      const path = new URL(e.name).pathname;
      if (path.startsWith("/ui/")) assets += e.transferSize;
      else api += e.transferSize;
    }
    return { total: assets + api, assets, api };
  });
}

export const uiModes: Record<string, () => Promise<Record<string, number>>> = {
  /** First view: the login page as loaded, then everything up to the hub view after login. */
  async uiSize() {
    const hub = await new HubProcess({ locks: DEFAULT_LOCKS, direct: true }).start();
    await hub.devices();
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.goto(`http://127.0.0.1:${hub.port}/ui/`, { waitUntil: "networkidle" });
      const login = await transferred(page);
      await logIn(page, hub);
      await page.waitForLoadState("networkidle");
      const after = await transferred(page);
      return { loginBytes: login.total, firstViewBytes: after.total, assetBytes: after.assets, apiBytes: after.api };
    } finally {
      await browser.close();
      await hub.cleanup();
    }
  },
  /**
   * Hub RSS never having served the page, with it open and idle (live stream up), and after it
   * closed; twice, since the hub's heap is still settling after start-up (the second pair is the
   * cleaner one). RSS moves by several MB on its own, so each state takes steadyRss's lowest sample.
   */
  async uiIdle() {
    const hub = await new HubProcess({ locks: DEFAULT_LOCKS, direct: true }).start();
    await hub.devices();
    const pid = hub.proc!.pid!;
    const ui = async () => (await hub.post("/hub/status", {})).body.hub.ui as { sessions: number; live_streams: number };
    const openPage = async () => {
      const browser = await launchBrowser();
      const page = await browser.context.newPage();
      await page.goto(`http://127.0.0.1:${hub.port}/ui/`);
      await logIn(page, hub);
      // Every view once, as an installer would, then left open on the hub view.
      for (const hash of ["#/locks", "#/codes", "#/events", "#/pairing", "#/"]) {
        await page.evaluate((h) => (location.hash = h), hash);
        await page.waitForTimeout(500);
      }
      await new Promise((r) => setTimeout(r, 5000));
      return { browser, page };
    };
    try {
      await new Promise((r) => setTimeout(r, 20_000));
      const out: Record<string, number> = { never: await steadyRss(pid) };
      for (const round of [1, 2]) {
        const { browser, page } = await openPage();
        out[`open${round}`] = await steadyRss(pid);
        out.streamsOpen = (await ui()).live_streams;
        await page.getByRole("button", { name: "Log out" }).click();
        await page.locator('input[name="api_key"]').waitFor();
        await browser.close();
        await new Promise((r) => setTimeout(r, 5000));
        out[`closed${round}`] = await steadyRss(pid);
        const after = await ui();
        out.streamsAfter = after.live_streams;
        out.sessionsAfter = after.sessions;
      }
      return out;
    } finally {
      await hub.cleanup();
    }
  },
};
