import type { InboundCallback } from "../bandwidth/schemas";
import type { Metrics } from "../observability/metrics";
import { type InboundDeps, InboundService } from "./inbound";

/** InboundService that counts the contacts' messages it takes in. */
export class CountedInboundService extends InboundService {
  constructor(
    deps: InboundDeps,
    private readonly metrics: Metrics,
  ) {
    super(deps);
  }

  override async receiveMessage(callback: InboundCallback) {
    const outcome = await super.receiveMessage(callback);
    if (outcome === "stored") this.metrics.relayed.inc({ direction: "inbound" });
    return outcome;
  }
}
