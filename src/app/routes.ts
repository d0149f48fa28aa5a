import { createWebhookHandler, WEBHOOK_PATHS } from "../bandwidth/webhooks";
import type { Config } from "../config";
import { createChartRoute, USAGE_CHART_PATH } from "../http/charts";
import { health, readiness } from "../http/health";
import type { Route, RouteHandler } from "../http/router";
import type { Logger } from "../logger";
import { SLACK_EVENTS_PATH, type SlackEdge } from "../slack/bolt";
import type { Infrastructure } from "./infrastructure";
import type { Services } from "./services";

/**
 * Every path the app serves. A worker serves only its probes and metrics; the routes that take
 * requests in (Slack's, Bandwidth's, the chart) are where the role takes requests.
 */
export function routesFor(
  config: Config,
  logger: Logger,
  parts: { infra: Infrastructure; slack: SlackEdge; services: Services },
): Route[] {
  const { db, locks, intake, metrics } = parts.infra;
  const routes: Route[] = [
    { methods: ["GET"], path: "/healthz", handler: (_req, res) => health(res) },
    { methods: ["GET"], path: "/readyz", handler: (_req, res) => readiness(res, { locks, intake, db }) },
    {
      methods: ["GET"],
      path: "/metrics",
      async handler(_req, res) {
        const body = await metrics.registry.metrics();
        res.writeHead(200, { "content-type": metrics.registry.contentType }).end(body);
      },
    },
  ];
  if (!intake) return routes;
  const webhooks = createWebhookHandler({
    username: config.BANDWIDTH_CALLBACK_USERNAME,
    password: config.BANDWIDTH_CALLBACK_PASSWORD,
    intake,
    logger,
  });
  const timedWebhook: RouteHandler = (req, res, path) => {
    const started = process.hrtime.bigint();
    res.once("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.webhookAck.observe({ route: path, status: String(res.statusCode) }, seconds);
    });
    return webhooks(req, res, path);
  };
  routes.push(
    {
      methods: ["GET"],
      path: USAGE_CHART_PATH,
      handler: createChartRoute({ secret: config.SLACK_SIGNING_SECRET, usage: parts.services.usage, logger }),
    },
    { methods: ["POST"], path: WEBHOOK_PATHS.inbound, handler: timedWebhook },
    { methods: ["POST"], path: WEBHOOK_PATHS.status, handler: timedWebhook },
  );
  const slackListener = parts.slack.requestListener;
  if (slackListener) {
    routes.push({
      methods: ["POST"],
      path: SLACK_EVENTS_PATH,
      handler: (req, res) => slackListener(req, res),
    });
  }
  return routes;
}
