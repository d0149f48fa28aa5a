// The fake's List Messages (GET /users/{accountId}/messages), driven through bandwidth-sdk: what the
// app relies on to resolve a text in doubt.
import { Configuration, MessagesApi } from "bandwidth-sdk";
import { type FakeBandwidth, startFakeBandwidth } from "../support/fakeBandwidth";

const ACCOUNT_ID = "9900000";
const USERNAME = "api-user";
const PASSWORD = "api-pass";
const APPLICATION_ID = "93de2206-9669-4e07-948d-329f4b722ee2";
const LINE = "+15553332222";

let fake: FakeBandwidth;
let api: MessagesApi;

beforeAll(async () => {
  fake = await startFakeBandwidth({
    accountId: ACCOUNT_ID,
    username: USERNAME,
    password: PASSWORD,
    applicationId: APPLICATION_ID,
  });
  api = new MessagesApi(new Configuration({ basePath: fake.url, username: USERNAME, password: PASSWORD }));
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

function send(to: string[], text: string) {
  return api.createMessage(ACCOUNT_ID, { applicationId: APPLICATION_ID, from: LINE, to: new Set(to), text });
}

function list(params: {
  source?: string;
  destination?: string;
  from?: Date;
  to?: Date;
  pageToken?: string;
  limit?: number;
}) {
  return api.listMessages(
    ACCOUNT_ID,
    undefined,
    params.source,
    params.destination,
    undefined,
    "OUTBOUND",
    undefined,
    undefined,
    undefined,
    params.from?.toISOString(),
    params.to?.toISOString(),
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    params.pageToken,
    params.limit,
  );
}

test("lists each text taken, one row per recipient, filtered by line, destination and window", async () => {
  const before = new Date(Date.now() - 1_000);
  const group = await send(["+15554440001", "+15554440002"], "to the group");
  await send(["+15554440003"], "to someone else");
  const { data } = await list({
    source: LINE,
    destination: "+15554440002",
    from: before,
    to: new Date(Date.now() + 1_000),
  });
  expect(data.messages).toHaveLength(1);
  expect(data.messages?.[0]).toMatchObject({
    messageId: group.data.id,
    sourceTn: LINE,
    destinationTn: "+15554440002",
    messageDirection: "OUTBOUND",
    messageType: "mms",
    recipientCount: 2,
  });
  const later = await list({ source: LINE, from: new Date(Date.now() + 60_000) });
  expect(later.data.messages).toHaveLength(0);
  expect(fake.violations).toEqual([]);
});

test("pages with pageToken and limit", async () => {
  for (const n of [1, 2, 3]) await send([`+1555444010${n}`], `text ${n}`);
  const first = await list({ source: LINE, limit: 2 });
  expect(first.data.messages).toHaveLength(2);
  const token = first.data.pageInfo?.nextPageToken;
  expect(token).toBeDefined();
  const second = await list({ source: LINE, limit: 2, pageToken: token });
  expect(second.data.messages).toHaveLength(1);
});

test("a text taken whose answer was lost is listed; one dropped before it was taken is not", async () => {
  fake.failNext(1, { acceptThenDrop: true });
  await expect(send(["+15554440201"], "answer lost")).rejects.toThrow();
  fake.failNext(1, { dropWithoutAccepting: true });
  await expect(send(["+15554440202"], "never taken")).rejects.toThrow();
  const { data } = await list({ source: LINE });
  expect(data.messages?.map((m) => m.destinationTn)).toEqual(["+15554440201"]);
});

test("a query parameter the spec does not define is refused as the real API would", async () => {
  const response = await fetch(`${fake.url}/users/${ACCOUNT_ID}/messages?sourceTn=%2B15553332222&bogus=1`, {
    headers: { Authorization: `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64")}` },
  });
  expect(response.status).toBe(400);
  expect(fake.violations).toHaveLength(1);
});

test("List Messages can be made to fail, for the case where Bandwidth's evidence is unavailable", async () => {
  fake.setListFailure({ status: 503 });
  await expect(list({ source: LINE })).rejects.toMatchObject({ response: { status: 503 } });
});
