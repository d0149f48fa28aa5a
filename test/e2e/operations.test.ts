import { contactTexts, startGroup } from "../support/flows";
import { type Harness, SECRETS, startHarness } from "../support/harness";
import { FORM, nowSeconds, postSlack, slashCommandBody } from "../support/slackRequests";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { LOG_LEVEL: "info" } });
});
afterAll(async () => {
  await h.stop();
});

test("GET /metrics exposes ack latency, API calls, job queue and relay counters in Prometheus format", async () => {
  const numbers = ["+19175550101", "+19175550102"];
  await startGroup(h, { numbers });
  await contactTexts(h, { from: numbers[0] ?? "", others: [numbers[1] ?? ""], text: "counted" });
  await h.slack.waitFor((calls) => calls.some((c) => c.args.text === "counted"));

  const response = await fetch(`${h.app.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  const body = await response.text();
  expect(body).toMatch(
    /replyall_webhook_ack_seconds_count\{route="\/webhooks\/bandwidth\/inbound",status="200"\} [1-9]/,
  );
  expect(body).toMatch(
    /replyall_api_calls_total\{service="slack",method="chat.postMessage",status="200"\} [1-9]/,
  );
  expect(body).toMatch(
    /replyall_api_calls_total\{service="bandwidth",method="messages",status="202"\} [1-9]/,
  );
  expect(body).toMatch(/replyall_messages_relayed_total\{direction="inbound"\} [1-9]/);
  expect(body).toMatch(/replyall_messages_relayed_total\{direction="outbound"\} [1-9]/);
  expect(body).toMatch(/replyall_jobs_total\{queue="thread-sync",outcome="completed"\} [1-9]/);
  expect(body).toContain("replyall_outbox_pending");
  expect(body).toContain("replyall_process_resident_memory_bytes");
});

test("a Slack request over 1 MB gets 413 and the app stays up", async () => {
  const command = slashCommandBody({
    command: "/grouptext",
    text: "x".repeat(1_100_000),
    userId: "UDANA",
    channelId: "C1",
  });
  const response = await h.slackRequest(command);
  expect(response.status).toBe(413);
  expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);
});

test("a webhook body over 1 MB gets 413", async () => {
  const response = await h.webhook("inbound", `[${" ".repeat(1_100_000)}]`);
  expect(response.status).toBe(413);
});

test("a Slack request signed more than five minutes ago is refused", async () => {
  const command = slashCommandBody({ command: "/grouptext", userId: "UDANA", channelId: "C1" });
  const response = await postSlack(h.app.url, SECRETS.signingSecret, {
    contentType: FORM,
    body: command.body,
    timestamp: nowSeconds() - 6 * 60,
  });
  expect(response.status).toBe(401);
  expect(h.slack.callsTo("views.open")).toHaveLength(0);
});

test("every Slack request gets a correlation id", async () => {
  const command = slashCommandBody({ command: "/grouptext", userId: "UDANA", channelId: "C1" });
  const response = await h.slackRequest(command);
  expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
});
