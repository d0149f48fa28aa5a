import type { InboundCallback } from "../domain/messageEvents";
import type { Metrics } from "../observability/metrics";
import { type Claim, type InboundDeps, InboundService } from "./inbound";

/** InboundService that counts the contacts' messages it takes in. */
export class CountedInboundService extends InboundService {
  constructor(
    deps: InboundDeps,
    private readonly metrics: Metrics,
  ) {
    super(deps);
  }

  protected override async takeMessage(callback: InboundCallback, claim: Claim) {
    const outcome = await super.takeMessage(callback, claim);
    if (outcome === "stored") this.metrics.relayed.inc({ direction: "inbound" });
    return outcome;
  }
}
