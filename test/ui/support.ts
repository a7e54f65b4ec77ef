// Shared by the installer page's browser tests: the hub on its default locks, a logged-in page, screenshots, axe.
import { mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { axeViolations, DESKTOP, PHONE } from "../support/browser.js";
import { HubProcess, projectRoot, type SimLock } from "../support/hub-process.js";

/** The three locks `npm start` runs (config/default.json). */
export function defaultLocks(): SimLock[] {
  const cfg = JSON.parse(readFileSync(path.join(projectRoot(), "config", "default.json"), "utf8")) as { simulation: { locks: SimLock[] } };
  return cfg.simulation.locks;
}

/**
 * Where the screenshots go: docs/ui with LOCKBRIDGE_UPDATE_SCREENSHOTS=1 (to refresh the pictures the docs
 * show), else a temporary folder, so a test run leaves the working tree as it was.
 */
export const SCREENSHOTS = process.env.LOCKBRIDGE_UPDATE_SCREENSHOTS === "1" ? path.join(projectRoot(), "docs", "ui") : path.join(tmpdir(), "lockbridge-ui-screenshots");

export function startHub(extra: Partial<ConstructorParameters<typeof HubProcess>[0]> = {}): HubProcess {
  return new HubProcess({ locks: defaultLocks(), ...extra });
}

export const pageUrl = (hub: HubProcess) => `http://127.0.0.1:${hub.port}/ui/`;

/** Log in through the form, as a person does. */
export async function logIn(page: Page, hub: HubProcess): Promise<void> {
  await page.goto(pageUrl(hub));
  await page.locator('input[name="api_key"]').fill(hub.apiKey);
  await page.getByRole("button", { name: "Open" }).click();
  await page.getByRole("heading", { level: 1, name: "Hub" }).waitFor();
}

export async function go(page: Page, hash: string, heading: string | RegExp): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

/**
 * One view, checked and pictured: axe finds no serious or critical violation, and a full-page
 * screenshot is saved at desktop and phone widths (SCREENSHOTS/<name>-desktop.png, -phone.png). At the
 * phone width nothing may be wider than the screen. A modal is pictured as the viewport shows it
 * (`fullPage: false`), since its backdrop covers the viewport only.
 */
export async function checkView(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const [size, viewport] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150);
    const violations = await axeViolations(page);
    expect(violations, `${name} at ${size}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name} at ${size} is wider than the screen`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size}.png`), fullPage: opts.fullPage ?? true, animations: "disabled" });
  }
  await page.setViewportSize(DESKTOP);
}
