// What a real S2 lock does during its key exchange that zwave-js's mock node does not: it repeats its
// KEX Set echo until the controller confirms it (the controller can decode it only once the installer's
// PIN gave it the lock's full public key; real locks repeat every 10 s until TAI2, 240 s), and it stops
// the exchange when the controller sends KEX Fail.
import { createMockZWaveRequestFrame, type MockController, type MockNode, type MockNodeBehavior } from "@zwave-js/testing";
import { ECDHProfiles, KEXSchemes, Security2CC, Security2CCKEXFail, Security2CCKEXSet, Security2CCMessageEncapsulation } from "zwave-js";
import { forgetKeyExchange, isAwaitingKeyExchangeConfirmation } from "./mock-state-keys.js";

/** Faster than a real lock's 10 s, so a simulated PIN entry does not wait long. */
const KEX_SET_REPEAT_MS = 1_000;
/** TAI2: the key exchange is over after 240 s whatever happens. */
const KEX_SET_REPEATS = 240;

function kexSetEcho(cc: unknown): Security2CCKEXSet | null {
  if (!(cc instanceof Security2CCMessageEncapsulation)) return null;
  const inner = cc.encapsulated;
  return inner instanceof Security2CCKEXSet && inner.echo ? inner : null;
}

export function createKeyExchangeBehaviors(): MockNodeBehavior[] {
  let timer: NodeJS.Timeout | null = null;
  const stop = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  const repeat = (controller: MockController, self: MockNode, echo: Security2CCKEXSet, left: number): void => {
    stop();
    timer = setTimeout(() => {
      timer = null;
      if (left <= 0 || !isAwaitingKeyExchangeConfirmation(self.state) || controller.nodes.get(self.id) !== self) return;
      const again = new Security2CCKEXSet({
        nodeId: controller.ownNodeId,
        echo: true,
        selectedKEXScheme: KEXSchemes.KEXScheme1,
        selectedECDHProfile: ECDHProfiles.Curve25519,
        permitCSA: false,
        grantedKeys: [...echo.grantedKeys],
      });
      const frame = createMockZWaveRequestFrame(Security2CC.encapsulate(again, self.id, self.securityManagers), { ackRequested: true });
      void self.sendToController(frame).catch(() => undefined);
      repeat(controller, self, echo, left - 1);
    }, KEX_SET_REPEAT_MS);
    timer.unref();
  };
  return [
    {
      handleCC(_controller, self, cc) {
        if (!(cc instanceof Security2CCKEXFail)) return undefined;
        stop();
        forgetKeyExchange(self.state);
        return { action: "stop" };
      },
      transformResponse(controller, self, _cc, response) {
        const echo = response.action === "sendCC" ? kexSetEcho(response.cc) : null;
        if (echo) repeat(controller, self, echo, KEX_SET_REPEATS);
        return response;
      },
    },
  ];
}
