// What a secure lock does to send something on its own (a keypad notification, a report): encrypt it
// with the highest class it shares with the controller. zwave-js drops an unencrypted frame of a CC the
// lock supports only securely, as a real controller must. zwave-js's mock nodes encrypt only answers to
// encrypted commands, so unsolicited frames are encapsulated here, with the nonce exchange a real lock
// makes when it has no S2 span with the controller (S0 needs one for every frame).
import { SPANState, SecurityClass, securityClassIsS2 } from "@zwave-js/core";
import { MockZWaveFrameType, createMockZWaveRequestFrame, type MockNode, type MockZWaveFrame, type MockZWaveRequestFrame } from "@zwave-js/testing";
import { Security2CC, Security2CCNonceGet, Security2CCNonceReport, SecurityCC, SecurityCCNonceGet, SecurityCCNonceReport, type CommandClass } from "zwave-js";

const NONCE_WAIT_MS = 1_000;
/**
 * How long after an unsolicited frame a controller's nonce means "could not decode it". Generous: the
 * mock and the driver share one process, and on a loaded machine a timer can fire before the nonce that
 * already arrived is read. Only the lock's latest S2 step resyncs: once it has sent another frame or asked
 * for a nonce itself, a nonce from the controller answers that, not an older frame.
 */
const RESYNC_WAIT_MS = 1_500;
/** Secure frames and nonce requests each lock has sent on its own. */
const ownSteps = new WeakMap<MockNode, number>();
const nextOwnStep = (node: MockNode): number => {
  const step = (ownSteps.get(node) ?? 0) + 1;
  ownSteps.set(node, step);
  return step;
};

const isNonceReport = (f: MockZWaveFrame): f is MockZWaveRequestFrame => f.type === MockZWaveFrameType.Request && f.payload instanceof Security2CCNonceReport;

/** How long a lock lets a span the controller is establishing finish before it starts its own exchange. */
const SPAN_SETTLE_MS = 500;

export async function sendFromLock(node: MockNode, cc: CommandClass): Promise<void> {
  const controllerId = node.controller.ownNodeId;
  const security = node.encodingContext.getHighestSecurityClass(controllerId);
  let frame: CommandClass = cc;
  if (security !== undefined && securityClassIsS2(security) && node.securityManagers.securityManager2) {
    const sm2 = node.securityManagers.securityManager2;
    // The lock just answered an undecodable frame with its nonce: the controller's retry establishes the
    // span. Starting another exchange now would break both (as with real S2 collisions), so wait for it.
    for (let waited = 0; sm2.getSPANState(controllerId).type === SPANState.LocalEI && waited < SPAN_SETTLE_MS; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if (sm2.getSPANState(controllerId).type !== SPANState.SPAN) await exchangeNonce(node, new Security2CCNonceGet({ nodeId: controllerId }), Security2CCNonceReport);
    frame = Security2CC.encapsulate(cc, node.id, node.securityManagers);
    // Both sides may have used the span at once (the controller was sending too): the controller then
    // cannot decode this and answers with its nonce, and a real S2 lock sends the frame again.
    const step = nextOwnStep(node);
    const resync = node.expectControllerFrame(isNonceReport, { timeout: RESYNC_WAIT_MS });
    void resync.then(
      () => {
        if (ownSteps.get(node) !== step) return;
        return node.sendToController(createMockZWaveRequestFrame(Security2CC.encapsulate(cc, node.id, node.securityManagers), { ackRequested: true }));
      },
      () => undefined,
    ).catch(() => undefined);
  } else if (security === SecurityClass.S0_Legacy && node.securityManagers.securityManager) {
    const report = await exchangeNonce(node, new SecurityCCNonceGet({ nodeId: controllerId }), SecurityCCNonceReport);
    const encapsulated = SecurityCC.encapsulate(node.id, node.securityManagers.securityManager, cc);
    encapsulated.nonce = report.nonce;
    frame = encapsulated;
  }
  await node.sendToController(createMockZWaveRequestFrame(frame, { ackRequested: true }));
}

async function exchangeNonce<T extends CommandClass>(node: MockNode, get: CommandClass, reportType: new (...args: never[]) => T): Promise<T> {
  nextOwnStep(node);
  const isReport = (f: MockZWaveFrame): f is MockZWaveRequestFrame => f.type === MockZWaveFrameType.Request && f.payload instanceof reportType;
  const answer = node.expectControllerFrame(isReport, { timeout: NONCE_WAIT_MS });
  await node.sendToController(createMockZWaveRequestFrame(get, { ackRequested: false }));
  const { payload } = await answer;
  if (!(payload instanceof reportType)) throw new Error("no nonce from the controller");
  return payload;
}
