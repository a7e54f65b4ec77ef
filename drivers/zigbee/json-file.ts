// Moved to drivers/json-file.ts (shared with the Z-Wave simulation); kept so Zigbee imports stay put.
export { isRecord, readJsonFile, writeJsonFileAtomic } from "../json-file.js";
