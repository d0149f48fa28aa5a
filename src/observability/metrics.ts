import client from "prom-client";

export type QueueStats = { queue: string; waiting: number; oldestSeconds: number }[];
export type OutboxStats = { pendingPosts: number; queuedTexts: number };

const SLACK_METHOD = /^[a-z]+(\.[A-Za-z]+)+$/;

/** The metrics label of a call to `url`: see Metrics.countingFetch. */
export function slackMethodLabel(url: string, apiBase: string): string {
  if (!url.startsWith(apiBase)) return "files.upload";
  const method = url.slice(apiBase.length).split(/[?#]/)[0] ?? "";
  return method.length <= 64 && SLACK_METHOD.test(method) ? method : "other";
}

/**
 * Prometheus metrics, one registry per app instance (tests run several in one process).
 * The gauges read the database when scraped, so they are true across instances.
 */
export class Metrics {
  readonly registry = new client.Registry();

  readonly webhookAck = new client.Histogram({
    name: "replyall_webhook_ack_seconds",
    help: "Time to store and acknowledge a Bandwidth webhook request",
    labelNames: ["route", "status"] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly apiCalls = new client.Counter({
    name: "replyall_api_calls_total",
    help: "Calls to the Slack and Bandwidth APIs by method and HTTP status",
    labelNames: ["service", "method", "status"] as const,
    registers: [this.registry],
  });

  readonly jobOutcomes = new client.Counter({
    name: "replyall_jobs_total",
    help: "Jobs run, by queue and outcome",
    labelNames: ["queue", "outcome"] as const,
    registers: [this.registry],
  });

  readonly relayed = new client.Counter({
    name: "replyall_messages_relayed_total",
    help: "Messages relayed: inbound (phones to Slack) and outbound (Slack to phones)",
    labelNames: ["direction"] as const,
    registers: [this.registry],
  });

  readonly inboundSetAside = new client.Counter({
    name: "replyall_inbound_set_aside_total",
    help: "Bandwidth callbacks set aside unprocessed: failed every attempt, or invalid",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  readonly inboundProcessed = new client.Counter({
    name: "replyall_inbound_callbacks_processed_total",
    help: "Stored Bandwidth callbacks this instance took in (set aside ones included), by path: handed-over (contacts' plain texts this instance's intake stored and handed over, one statement per batch), together (the same, read back from storage) or one by one",
    labelNames: ["path"] as const,
    registers: [this.registry],
  });

  readonly inboundPartitions = new client.Gauge({
    name: "replyall_inbound_partitions_held",
    help: "Partitions of the stored callbacks this instance takes in (its share of the work)",
    registers: [this.registry],
  });

  constructor(stats?: { queues(): Promise<QueueStats>; outbox(): Promise<OutboxStats> }) {
    client.collectDefaultMetrics({ register: this.registry, prefix: "replyall_" });
    if (!stats) return;
    new client.Gauge({
      name: "replyall_job_queue_depth",
      help: "Jobs waiting (created or waiting to retry), by queue",
      labelNames: ["queue"] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const q of await stats.queues()) this.set({ queue: q.queue }, q.waiting);
      },
    });
    new client.Gauge({
      name: "replyall_job_queue_oldest_seconds",
      help: "Age of the oldest waiting job, by queue",
      labelNames: ["queue"] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const q of await stats.queues()) this.set({ queue: q.queue }, q.oldestSeconds);
      },
    });
    new client.Gauge({
      name: "replyall_outbox_pending",
      help: "Conversation entries waiting to be posted to Slack (posts) or texted (texts)",
      labelNames: ["kind"] as const,
      registers: [this.registry],
      async collect() {
        const o = await stats.outbox();
        this.set({ kind: "posts" }, o.pendingPosts);
        this.set({ kind: "texts" }, o.queuedTexts);
      },
    });
  }

  /**
   * A `fetch` for WebClient that counts Slack Web API calls by method and status. The method label
   * comes from a bounded set: a Web API method name under `apiUrl`, "files.upload" for the one-off
   * upload URLs Slack hands out (each is unique; as labels they would grow the registry forever),
   * "other" for anything else.
   */
  countingFetch(service: string, apiUrl: string, inner: typeof fetch = fetch): typeof fetch {
    const base = apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`;
    return async (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      const method = slackMethodLabel(url, base);
      try {
        const response = await inner(input, init);
        this.apiCalls.inc({ service, method, status: String(response.status) });
        return response;
      } catch (error) {
        this.apiCalls.inc({ service, method, status: "error" });
        throw error;
      }
    };
  }
}
