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

  protected override textsStored(count: number): void {
    if (count > 0) this.metrics.relayed.inc({ direction: "inbound" }, count);
  }
}
