// How much User Code payload fits in one radio frame to a lock. A Z-Wave frame carries at most the
// controller's maximum payload (zwave-js asks the stick; 46 bytes on 500/700 series with explorer
// frames, 2 more without, more again for LR), and every layer around the command takes its share:
// Security 2 (12 bytes: its header, sequence number, extension flags, 8-byte MAC), Supervision (4),
// Multi Channel, CRC-16. zwave-js computes exactly that for the layers it will apply to this node; we
// add Supervision, which its CC API adds on top. A batch larger than this is refused by zwave-js as
// "message too large" (ZW0217): a sizing error to split on, never a timeout to retry.
import { CommandClasses, EncapsulationFlags, TransmitOptions } from "@zwave-js/core";
import { SupervisionCC, UserCodeCCExtendedUserCodeSet, type Driver, type ZWaveNode } from "zwave-js";

/** Any valid Supervision session id: the id does not change the frame's size. */
const SIZING_SESSION_ID = 1;

export interface FrameBudgetOptions {
  /** The write is Supervision-encapsulated (how the hub writes to locks that support it). Default true. */
  readonly supervised?: boolean;
  /**
   * Keep room for explorer frames (route discovery). zwave-js drops them by itself for a message that
   * only fits without, so the default (false) is the largest message zwave-js sends.
   */
  readonly explorerFrames?: boolean;
}

/**
 * Bytes available after the User Code CC header (CC id and command) in one frame to `node`: what an
 * Extended User Code Set may spend on its count byte and its codes (4 bytes + the digits per code).
 */
export function userCodePayloadBudget(driver: Driver, node: ZWaveNode, options: FrameBudgetOptions = {}): number {
  const set = new UserCodeCCExtendedUserCodeSet({ nodeId: node.id, userCodes: [] });
  const command = options.supervised === false ? set : SupervisionCC.encapsulate(set, SIZING_SESSION_ID, false);
  // As sendCommand() marks it: zwave-js adds S2 (or S0) only to commands flagged for security.
  const secure = driver.isCCSecure(CommandClasses["User Code"], node.id);
  for (const cc of [set, command]) cc.toggleEncapsulationFlag(EncapsulationFlags.Security, secure);
  const transmitOptions = options.explorerFrames ? TransmitOptions.DEFAULT : TransmitOptions.ACK | TransmitOptions.AutoRoute;
  const SendData = driver.getSendDataSinglecastConstructor();
  const message = new SendData({ sourceNodeId: driver.ownNodeId, command, transmitOptions }) as Parameters<Driver["computeNetCCPayloadSize"]>[0];
  return driver.computeNetCCPayloadSize(message);
}
