// Pairing (protocol.md §7) and lock/unlock (§8) from the installer page, in Debian's Chromium against the
// hub process. Each test needs its paths served by the hub; on a hub that does not serve them yet the
// test is skipped (and reported so), and the page's "not served" handling is checked instead.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, type Browser } from "../support/browser.js";
import type { HubProcess } from "../support/hub-process.js";
import { checkView, go, logIn, startHub } from "./support.js";

let hub: HubProcess;
let browser: Browser;
let page: Page;
const served = { pairing: false, newLock: false, lockDoor: false };

/** A path the router serves answers a bad body with 400; one it does not serve with 404 not_found. */
async function serves(p: string): Promise<boolean> {
  const r = await hub.post(p, {});
  return !(r.status === 404 && r.body.error?.type === "not_found");
}

beforeAll(async () => {
  hub = await startHub().start();
  await hub.devices();
  served.pairing = await serves("/hub/pairing/start");
  served.newLock = await serves("/hub/simulate/new_lock");
  served.lockDoor = await serves("/locks/lock_door");
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await logIn(page, hub);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  const logs = hub?.logs ?? "";
  await hub?.cleanup();
  expect(logs).not.toContain(hub.apiKey);
});

const lockCount = async () => ((await hub.post("/devices/list", {})).body.devices as unknown[]).length;

describe("pairing and lock control from the installer page", () => {
  it("says so plainly when the hub does not serve pairing yet", async (ctx) => {
    if (served.pairing) ctx.skip();
    await go(page, "#/pairing", "Pairing");
    await page.getByRole("button", { name: "Start inclusion" }).click();
    await page.getByText("This hub does not offer pairing yet (it does not serve that path).").first().waitFor();
    await page.getByText("This hub does not offer SmartStart yet (it does not serve that path).").waitFor();
  });

  it("pairs a factory-new Z-Wave lock: inclusion, button, the PIN against the partial DSK, S2", async (ctx) => {
    if (!served.pairing || !served.newLock) ctx.skip();
    const label = (await hub.post("/hub/simulate/new_lock", { protocol: "zwave", name: "Side door", security: "s2" })).body.lock as { sim_id: string; dsk: string; pin: string };
    const before = await lockCount();
    await go(page, "#/pairing", "Pairing");
    await page.getByRole("button", { name: "Start inclusion" }).click();
    await page.getByText("Waiting for the lock").waitFor();
    expect((await hub.post("/hub/simulate/press_button", { sim_id: label.sim_id })).status).toBe(200);
    const pin = page.getByLabel(/first 5 digits of the DSK/);
    await pin.waitFor({ timeout: 60_000 });
    // The page shows the rest of the DSK to compare with the label.
    expect(label.dsk.endsWith((await page.locator("#pairing-dsk").innerText()).replace(/^-/, ""))).toBe(true);
    await checkView(page, "pairing-pin");
    await pin.fill(label.pin);
    await page.getByRole("button", { name: "Send PIN" }).click();
    await page.getByText("Done.").waitFor({ timeout: 90_000 });
    await page.getByText(/Security: S2 Access Control/).waitFor();
    await page.getByRole("link", { name: "Side door" }).waitFor({ timeout: 30_000 });
    expect(await lockCount()).toBe(before + 1);
  });

  it("pairs a Zigbee lock with permit join and a countdown", async (ctx) => {
    if (!served.pairing || !served.newLock) ctx.skip();
    const label = (await hub.post("/hub/simulate/new_lock", { protocol: "zigbee", name: "Shed" })).body.lock as { sim_id: string };
    const before = await lockCount();
    await go(page, "#/pairing", "Pairing");
    await page.getByLabel("Keep the network open for").selectOption("60");
    await page.getByRole("button", { name: "Open the network" }).click();
    await page.getByText(/Closes in \d+ s/).waitFor();
    expect((await hub.post("/hub/simulate/press_button", { sim_id: label.sim_id })).status).toBe(200);
    await page.getByRole("link", { name: "Shed" }).waitFor({ timeout: 60_000 });
    expect(await lockCount()).toBe(before + 1);
    await page.getByRole("button", { name: "Stop" }).click();
    await page.getByText("Stopped.").waitFor();
  });

  it("unlocks and locks a lock behind a confirmation, waiting for the lock to report it", async (ctx) => {
    if (!served.lockDoor) ctx.skip();
    const devices = await hub.devices();
    const front = devices.get("Front door")!.device_id as string;
    await go(page, `#/locks/${front}`, "Front door");
    await page.getByRole("button", { name: "Unlock", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Unlock Front door now?").waitFor();
    await checkView(page, "unlock-confirm", { fullPage: false });
    await dialog.getByRole("button", { name: "Unlock" }).click();
    await page.getByText("Front door is unlocked.").waitFor({ timeout: 60_000 });
    expect((await hub.post("/devices/get", { device_id: front })).body.device.properties.locked).toBe(false);
    await page.getByRole("button", { name: "Lock", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Lock" }).click();
    await page.getByText("Front door is locked.").waitFor({ timeout: 60_000 });
    expect((await hub.post("/devices/get", { device_id: front })).body.device.properties.locked).toBe(true);
  });
});
