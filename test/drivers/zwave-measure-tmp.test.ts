import { writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { it } from "vitest";
import { simLock, simulatedZWave, tempDataDir } from "../support/zwave-harness.js";

it("measures", async () => {
  const data = await tempDataDir();
  const lock = simLock({ name: "Big", slots: 250, checksum: true, native_scheduling: true });
  // 250 codes already in the lock's memory
  const slots: Record<string, { status: number; code: string }> = {};
  for (let i = 1; i <= 250; i++) slots[String(i)] = { status: 1, code: String(100000 + i) };
  await mkdir(path.join(data.dir, "zwave-simulation"), { recursive: true });
  await writeFile(path.join(data.dir, "zwave-simulation", "lock-node-2.json"), JSON.stringify({ version: 1, excluded: false, battery: 100, slots, schedules: {} }));
  const out: Record<string, number> = {};
  let net = simulatedZWave(data.dir, [lock]);
  let t = Date.now();
  await net.driver.start(); out.driverReady = Date.now() - t;
  const [h] = await net.recorder.locksReady(1, 60_000); out.firstStartUntilReady = Date.now() - t;
  out.firstStartFrames = net.driver.simulator!.frameCount();
  const rss = process.memoryUsage().rss; out.rssMB = Math.round(rss / 1e6);
  const n = 20;
  t = Date.now(); for (let i = 0; i < n; i++) await h!.writeSlot(i + 1, String(200000 + i)); out.writeMsAvgFirst = (Date.now() - t) / n;
  t = Date.now(); for (let i = 0; i < n; i++) await h!.writeSlot(i + 1, String(300000 + i)); out.writeMsAvgKnownNoSchedule = (Date.now() - t) / n;
  let f = net.driver.simulator!.frameCount(); await h!.writeSlot(30, "424242"); out.framesPerWrite = net.driver.simulator!.frameCount() - f;
  f = net.driver.simulator!.frameCount(); await h!.writeSlot(31, "434343", { startsAt: new Date(Date.now() + 3600e3), endsAt: new Date(Date.now() + 7200e3) }); out.framesPerScheduledWrite = net.driver.simulator!.frameCount() - f;
  t = Date.now(); for (let i = 0; i < n; i++) await h!.readSlot(i + 1); out.readMsAvg = (Date.now() - t) / n;
  f = net.driver.simulator!.frameCount(); await h!.readSlot(40); out.framesPerRead = net.driver.simulator!.frameCount() - f;
  t = Date.now(); await h!.readChecksum(); out.checksumMs = Date.now() - t;
  t = Date.now(); for (let i = 1; i <= 250; i++) await h!.readSlot(i); out.readAll250Ms = Date.now() - t;
  await net.driver.stop();
  net = simulatedZWave(data.dir, [lock]);
  t = Date.now();
  await net.driver.start(); out.restartDriverReady = Date.now() - t;
  await net.recorder.locksReady(1); out.restartUntilReady = Date.now() - t;
  out.restartFrames = net.driver.simulator!.frameCount();
  t = Date.now(); await net.driver.stop(); out.stopMs = Date.now() - t;
  console.log(JSON.stringify(out));
  await data.cleanup();
}, 120_000);
