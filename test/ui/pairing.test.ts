// Pairing (protocol.md §7) and lock/unlock (§8) from the installer page, in Debian's Chromium against the
// hub process: a factory-new simulated Z-Wave lock with its PIN, a Zigbee lock with permit join, and
// lock/unlock behind a confirmation. The hub serves every path these need; one it does not is a failure.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, type Browser } from "../support/browser.js";
import type { HubProcess } from "../support/hub-process.js";
import { checkView, go, logIn, startHub } from "./support.js";

let hub: HubProcess;
let browser: Browser;
let page: Page;
beforeAll(async () => {
  hub = await startHub().start();
  await hub.devices();
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
  it("pairs a factory-new Z-Wave lock: inclusion, button, the PIN against the partial DSK, S2", async () => {
    const made = await hub.post("/hub/simulate/new_lock", { protocol: "zwave", name: "Side door", security: "s2" });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const label = made.body.lock as { sim_id: string; dsk: string; pin: string };
    const before = await lockCount();
    await go(page, "#/pairing", "Pairing");
    await page.getByRole("button", { name: "Start inclusion" }).click();
    await page.getByText("Waiting for the lock").waitFor();
    expect((await hub.post("/hub/simulate/press_button", { sim_id: label.sim_id })).status).toBe(200);
    const pin = page.getByLabel(/first 5 digits of the DSK/);
    await pin.waitFor({ timeout: 60_000 });
    // The page shows the rest of the DSK to compare with the label.
    expect(label.dsk.endsWith((await page.locator("#pairing-dsk").innerText()).replace(/^-/, ""))).toBe(true);
    // The lock answered: the window no longer closes on time, so no countdown; the radio is named once.
    const status = await page.getByRole("group", { name: "Z-Wave inclusion" }).getByRole("status").innerText();
    expect(status).toMatch(/^Z-Wave inclusion: Enter the 5-digit PIN/);
    expect(status).not.toMatch(/Closes in/);
    await checkView(page, "pairing-pin");
    await pin.fill(label.pin);
    await page.getByRole("button", { name: "Send PIN" }).click();
    await page.getByText("Done.").waitFor({ timeout: 90_000 });
    await page.getByText(/Security: S2 Access Control/).waitFor();
    await page.getByRole("link", { name: "Side door" }).waitFor({ timeout: 30_000 });
    expect(await lockCount()).toBe(before + 1);
  });

  it("pairs a Zigbee lock with permit join and a countdown", async () => {
    const made = await hub.post("/hub/simulate/new_lock", { protocol: "zigbee", name: "Shed" });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const label = made.body.lock as { sim_id: string };
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

  it("unlocks and locks a lock behind a confirmation, waiting for the lock to report it", async () => {
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
