import http from "node:http";
import { inboundMessageCallback, newMessageId } from "../test/support/bandwidthSpec";

export const SECRETS = {
  signingSecret: "bench-signing-secret-0123456789abcdef",
  botToken: "xoxb-bench-bot-token-0000",
  bandwidthUser: "bw-bench-api-user",
  bandwidthPassword: "bw-bench-api-password",
  callbackUser: "bw-bench-callbacks",
  callbackPassword: "bench-callback-password",
};
export const ACCOUNT_ID = "9900000";
export const APPLICATION_ID = "93de2206-9669-4e07-948d-329f4b722ee2";
export const CALLBACK_AUTH = `Basic ${Buffer.from(`${SECRETS.callbackUser}:${SECRETS.callbackPassword}`).toString("base64")}`;
export const INBOUND_PATH = "/webhooks/bandwidth/inbound";

/** 100 group-enabled lines, each opening contact-started groups in a channel of its own. */
export const LINE_COUNT = 100;

export function lineNumber(index: number): string {
  return `+198455501${String(index).padStart(2, "0")}`;
}

export function lineChannel(index: number): string {
  return `CBENCH${String(index).padStart(3, "0")}`;
}

/** BANDWIDTH_LINES for the app: `NUMBER=NAME:group:CHANNEL` for every bench line. */
export function linesEnv(): string {
  return Array.from(
    { length: LINE_COUNT },
    (_, i) => `${lineNumber(i)}=Bench line ${i}:group:${lineChannel(i)}`,
  ).join(",");
}

/** A small deterministic PRNG (mulberry32), so every run sends the same mix. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// NANP 555-0100..0199 is fictional in every area code.
const AREA_CODES = (
  "212 213 214 215 216 217 218 219 224 225 228 229 231 234 239 240 248 251 252 253 " +
  "254 256 260 262 267 269 270 272 276 281 301 302 303 304 305 307 308 309 310 312 " +
  "313 314 315 316 317 318 319 320 321 323 325 330 331 334 336 337"
).split(" ");

/** Hands out fictional contact numbers, never the same one twice in a run. */
export class NumberPool {
  private next = 0;

  take(): string {
    const n = this.next++;
    const area = AREA_CODES[Math.floor(n / 100)];
    if (!area) throw new Error("NumberPool exhausted");
    return `+1${area}55501${String(n % 100).padStart(2, "0")}`;
  }
}

export interface Group {
  lineIndex: number;
  line: string;
  channel: string;
  members: string[];
}

// Group sizes as teams use them: mostly 2-4 contacts, now and then a full group of 9.
const SIZES = [2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 6, 9];

export function makeGroup(pool: NumberPool, lineIndex: number, random: () => number): Group {
  const size = SIZES[Math.floor(random() * SIZES.length)] ?? 3;
  return {
    lineIndex,
    line: lineNumber(lineIndex),
    channel: lineChannel(lineIndex),
    members: Array.from({ length: size }, () => pool.take()),
  };
}

const WORDS = (
  "running late be there in ten minutes can someone grab coffee on the way the meeting moved to " +
  "three thanks everyone see you soon sounds good I will bring the slides who has the keys parking " +
  "is full today let us meet at the north entrance great idea count me in tomorrow works for me"
).split(" ");

/** A text as people send them: mostly short, sometimes long enough to need several segments. */
export function sentence(random: () => number): string {
  const long = random() < 0.05;
  const count = long ? 40 + Math.floor(random() * 20) : 3 + Math.floor(random() * 15);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(WORDS[Math.floor(random() * WORDS.length)] ?? "ok");
  return words.join(" ");
}

/**
 * What Bandwidth posts when `from` texts the group: `message.to` is every other member plus the
 * line. Built from the spec's own callback example and validated against the spec schema.
 * `tag` goes first in the text so the Slack post can be matched to it.
 */
export function groupCallback(group: Group, from: string, tag: string, text: string) {
  return inboundMessageCallback({
    line: group.line,
    from,
    to: [group.line, ...group.members.filter((n) => n !== from)],
    text: `${tag} ${text}`,
    id: newMessageId(),
  });
}

/** The first word of a posted or sent text: the tag it was sent with. */
export function tagOf(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  const space = text.indexOf(" ");
  return space < 0 ? text : text.slice(0, space);
}

export interface PostResult {
  status: number;
  body: string;
}

/** A keep-alive HTTP client for the bench's own (non-autocannon) requests. */
export function httpClient(baseUrl: string, maxSockets = 64) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const url = new URL(baseUrl);
  return {
    post(
      path: string,
      body: string,
      headers: Record<string, string>,
      timeoutMs = 10_000,
    ): Promise<PostResult> {
      return new Promise((resolve, reject) => {
        const req = http.request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            path,
            method: "POST",
            headers: { "content-length": Buffer.byteLength(body), ...headers },
            timeout: timeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
            );
            res.on("error", reject);
          },
        );
        req.on("timeout", () => req.destroy(new Error(`POST ${path} timed out`)));
        req.on("error", reject);
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

export function webhookHeaders(): Record<string, string> {
  return { "content-type": "application/json", authorization: CALLBACK_AUTH };
}
