import axios, { isAxiosError } from "axios";
import { Configuration, MediaApi, MessagesApi } from "bandwidth-sdk";
import { z } from "zod";
import type { Config } from "../config";
import { segmentCountSchema } from "../domain/segments";
import type { Metrics } from "../observability/metrics";
import {
  BandwidthError,
  type BandwidthMessaging,
  type ListedText,
  type ListedTextsQuery,
  type OutgoingText,
  type TakenText,
} from "../services/ports";
import { NEVER_SHUTS_DOWN, type Shutdown } from "../shutdown";

export type { BandwidthMessaging, ListedText, ListedTextsQuery, OutgoingText, TakenText };
// The port's types, where code written against the adapter's module still looks for them.
export { BandwidthError, segmentCountSchema };

const NEVER_LEFT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);

const listedTextSchema = z.object({
  messageId: z.string(),
  destinationTn: z.string(),
  recipientCount: z.number().int().nullish(),
  receiveTime: z.string().nullish(),
});
const listedTextsSchema = z.object({
  messages: z.array(z.unknown()).default([]),
  pageInfo: z.object({ nextPageToken: z.string().nullish() }).nullish(),
});

function describe(error: unknown): BandwidthError {
  if (isAxiosError(error)) {
    const status = error.response?.status ?? null;
    const data: unknown = error.response?.data;
    const detail =
      data && typeof data === "object" && "description" in data && typeof data.description === "string"
        ? data.description
        : error.message;
    if (status === null) {
      // Refused or unresolvable: nothing was written, so nothing can have been taken.
      const neverLeft = NEVER_LEFT.has(error.code ?? "");
      return new BandwidthError(
        `Bandwidth did not answer (${error.code ?? error.message})`,
        null,
        true,
        null,
        !neverLeft,
      );
    }
    const retryAfter = Number(error.response?.headers?.["retry-after"]);
    const retryable = status === 429 || status >= 500;
    return new BandwidthError(
      `Bandwidth answered ${status}: ${detail}`,
      status,
      retryable,
      Number.isFinite(retryAfter) ? retryAfter * 1000 : null,
    );
  }
  return new BandwidthError(error instanceof Error ? error.message : String(error), null, true);
}

/** One page of List Messages: outbound texts from one number to another in a window. */
async function listPage(
  messages: MessagesApi,
  accountId: string,
  query: ListedTextsQuery,
  pageToken: string | undefined,
): Promise<{ texts: ListedText[]; nextPageToken: string | undefined }> {
  let data: unknown;
  try {
    const response = await messages.listMessages(
      accountId,
      undefined,
      query.from,
      query.to,
      undefined,
      "OUTBOUND",
      undefined,
      undefined,
      undefined,
      query.since.toISOString(),
      query.until.toISOString(),
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
      pageToken,
      100,
    );
    data = response.data;
  } catch (error) {
    throw describe(error);
  }
  const list = listedTextsSchema.parse(data);
  const texts: ListedText[] = [];
  for (const item of list.messages) {
    const parsed = listedTextSchema.safeParse(item);
    if (!parsed.success) continue;
    const time = parsed.data.receiveTime ? new Date(parsed.data.receiveTime) : null;
    texts.push({
      messageId: parsed.data.messageId,
      destination: parsed.data.destinationTn,
      recipientCount: parsed.data.recipientCount ?? null,
      receivedAt: time && !Number.isNaN(time.getTime()) ? time : null,
    });
  }
  return { texts, nextPageToken: list.pageInfo?.nextPageToken ?? undefined };
}

/**
 * The axios instance the SDK calls through: each request gets a signal of its own that stopping
 * the app aborts (see Shutdown.callSignal), and is counted by operation and status.
 */
function instrumentedHttp(shutdown: Shutdown, metrics: Metrics | undefined) {
  const http = axios.create();
  const calls = new WeakMap<object, () => void>();
  http.interceptors.request.use((request) => {
    const { signal, done } = shutdown.callSignal();
    request.signal = signal;
    calls.set(request, done);
    return request;
  });
  const release = (request: object | undefined) => {
    if (request) calls.get(request)?.();
  };
  http.interceptors.response.use(
    (response) => {
      release(response.config);
      return response;
    },
    (error: unknown) => {
      release(isAxiosError(error) ? error.config : undefined);
      return Promise.reject(error);
    },
  );
  if (metrics) {
    const operation = (url: string | undefined) => (url?.includes("/media/") ? "media" : "messages");
    http.interceptors.response.use(
      (response) => {
        metrics.apiCalls.inc({
          service: "bandwidth",
          method: operation(response.config.url),
          status: String(response.status),
        });
        return response;
      },
      (error: unknown) => {
        const status = isAxiosError(error) ? String(error.response?.status ?? "error") : "error";
        const url = isAxiosError(error) ? error.config?.url : undefined;
        metrics.apiCalls.inc({ service: "bandwidth", method: operation(url), status });
        return Promise.reject(error);
      },
    );
  }
  return http;
}

/**
 * The Bandwidth Messaging API through the official SDK, as the BandwidthMessaging port. Texts are
 * sent only through TextSender, which applies consent; SendEvidence lists what was sent, and thread
 * sync and outbound replies move media. So this stays a thin adapter.
 */
export function createBandwidthMessaging(
  config: Config,
  metrics?: Metrics,
  shutdown: Shutdown = NEVER_SHUTS_DOWN,
): BandwidthMessaging {
  const configuration = new Configuration({
    basePath: config.BANDWIDTH_MESSAGING_URL.replace(/\/$/, ""),
    ...(config.BANDWIDTH_CLIENT_ID && config.BANDWIDTH_CLIENT_SECRET
      ? { clientId: config.BANDWIDTH_CLIENT_ID, clientSecret: config.BANDWIDTH_CLIENT_SECRET }
      : { username: config.BANDWIDTH_USERNAME, password: config.BANDWIDTH_PASSWORD }),
    baseOptions: { timeout: config.BANDWIDTH_TIMEOUT_MS },
  });
  const http = instrumentedHttp(shutdown, metrics);
  const messages = new MessagesApi(configuration, undefined, http);
  const media = new MediaApi(configuration, undefined, http);
  const accountId = config.BANDWIDTH_ACCOUNT_ID;
  const mediaPrefix = `${configuration.basePath}/users/${accountId}/media/`;

  return {
    async send(text) {
      try {
        const response = await messages.createMessage(accountId, {
          applicationId: config.BANDWIDTH_APPLICATION_ID,
          from: text.from,
          to: new Set(text.to),
          text: text.text,
          ...(text.media?.length ? { media: text.media } : {}),
          tag: text.tag,
        });
        metrics?.relayed.inc({ direction: "outbound" });
        const segments = segmentCountSchema.safeParse(response.data.segmentCount);
        return { id: response.data.id ?? "", segmentCount: segments.success ? segments.data : null };
      } catch (error) {
        throw describe(error);
      }
    },

    async listSent(query) {
      const found: ListedText[] = [];
      let pageToken: string | undefined;
      // A handful of pages at most: the window is minutes long and holds one pair of numbers.
      for (let page = 0; page < 10; page++) {
        const listed = await listPage(messages, accountId, query, pageToken);
        found.push(...listed.texts);
        pageToken = listed.nextPageToken;
        if (!pageToken) break;
      }
      return found;
    },

    async downloadMedia(url) {
      // Credentials go only to our own Bandwidth media API, never to a URL a webhook names elsewhere.
      if (!url.startsWith(mediaPrefix))
        throw new BandwidthError(`media URL is not Bandwidth's: ${url}`, null, false);
      const mediaId = url.slice(mediaPrefix.length);
      try {
        const response = await media.getMedia(accountId, mediaId, { responseType: "arraybuffer" });
        const contentType = String(response.headers["content-type"] ?? "application/octet-stream");
        return { bytes: Buffer.from(response.data as unknown as ArrayBuffer), contentType };
      } catch (error) {
        throw describe(error);
      }
    },

    async uploadMedia(mediaId, bytes, contentType) {
      try {
        await media.uploadMedia(
          accountId,
          mediaId,
          new File([bytes], mediaId, { type: contentType }),
          contentType,
        );
        return `${mediaPrefix}${mediaId}`;
      } catch (error) {
        throw describe(error);
      }
    },
  };
}
