/**
 * An in-process stand-in for the Slack Web API, so the real `@slack/web-api` WebClient (and Bolt's App,
 * which wraps it) can run unmodified in tests and the sandbox: `new WebClient(token, { slackApiUrl:
 * fake.apiUrl })`. Its methods live by family in ./slack/ (chat, conversations, views, users, files,
 * reactions, auth), each a table of named handlers that ./slack/dispatch.ts routes to; it holds the
 * methods the app and the tests call, and answers any other with unknown_method. How WebClient
 * talks to it is told in ./slack/wire.ts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { postAsUser, seedMessage } from "./slack/chat";
import { methodTable, route } from "./slack/dispatch";
import { fileContent, registeredFileObject } from "./slack/files";
import { reactionsOn } from "./slack/reactions";
import { createSlackState, newId, notify, resetSlackState, type SlackState } from "./slack/state";
import type { FakeSlack, FakeSlackOptions, RecordedCall } from "./slack/types";
import { homeViewOf, showView, viewOpenedBy } from "./slack/views";
import { sendText } from "./slack/wire";

export { dmChannelOf } from "./slack/conversations";
export * from "./slack/types";

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const s = createSlackState(opts, baseUrl);
  const methods = methodTable(s);
  server.on("request", (req, res) => {
    route(s, methods, req, res).catch((err: unknown) => {
      // A bug in the fake itself; surface it loudly rather than as a Slack error the app might swallow.
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      if (!res.headersSent) sendText(res, 599, `fakeSlack internal error: ${message}`);
      else res.end();
    });
  });
  return {
    baseUrl,
    apiUrl: `${baseUrl}/api/`,
    port,
    ...records(s),
    ...controls(s),
    ...workspace(s),
    close: () =>
      new Promise<void>((resolve, reject) => {
        // WebClient's fetch keeps connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function waitFor(
  s: SlackState,
  predicate: (calls: readonly RecordedCall[]) => boolean,
  timeoutMs = 10_000,
): Promise<RecordedCall[]> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      if (timer) clearTimeout(timer);
      s.changes.off("change", check);
    };
    function check(): void {
      try {
        if (predicate(s.calls)) {
          cleanup();
          resolve(s.calls.slice());
        }
      } catch (err) {
        cleanup();
        reject(err);
      }
    }
    s.changes.on("change", check);
    timer = setTimeout(() => {
      cleanup();
      const seen = s.calls.map((c) => (c.error ? `${c.method}(${c.error})` : c.method)).join(", ") || "none";
      const turnedAway = s.rejected.map((c) => `${c.method}(${c.error})`).join(", ") || "none";
      reject(
        new Error(
          `fakeSlack.waitFor timed out after ${timeoutMs}ms; calls: ${seen}; rejected: ${turnedAway}`,
        ),
      );
    }, timeoutMs);
    check();
  });
}

/** What the fake recorded, and waiting for it. */
function records(s: SlackState) {
  return {
    calls: s.calls,
    rejected: s.rejected,
    uploadedFiles: s.uploadedFiles,
    downloads: s.downloads,
    responses: s.responses,
    callsTo: (method: string) => s.calls.filter((c) => c.method === method),
    waitFor: (predicate: (calls: readonly RecordedCall[]) => boolean, timeoutMs?: number) =>
      waitFor(s, predicate, timeoutMs),
    waitForCalls: async (method: string, n: number, timeoutMs = 10_000) => {
      await waitFor(s, (all) => all.filter((c) => c.method === method).length >= n, timeoutMs);
      return s.calls.filter((c) => c.method === method);
    },
  } satisfies Partial<FakeSlack>;
}

/** How a test makes Slack fail, slow down or answer differently. */
function controls(s: SlackState) {
  return {
    failNext: (method, n, failure) => {
      s.faults.push({ method, remaining: n, failure });
    },
    setPostAnswerDelay: (ms) => {
      s.postAnswerDelayMs = ms;
    },
    setFileProcessing: (ms) => {
      s.fileProcessingMs = ms;
    },
    delayAnswers: (method, ms) => {
      if (ms > 0) s.answerDelays.set(method, ms);
      else s.answerDelays.delete(method);
    },
    rateLimitPerChannel: (n) => {
      s.postsPerSecond = n;
      s.postTimes.clear();
    },
    handle: (method, handler) => {
      s.customHandlers.set(method, handler);
    },
    reset: () => resetSlackState(s),
  } satisfies Partial<FakeSlack>;
}

/** The workspace as a test sets it up and reads it back: people, channels, messages, views, files. */
function workspace(s: SlackState) {
  return {
    addChannel: (id, channel) => {
      s.channels.set(id, channel);
    },
    seedMessage: (message) => seedMessage(s, message),
    messagesIn: (channel) => [...(s.messages.get(channel)?.values() ?? [])],
    postAsUser: (input) => {
      const message = postAsUser(s, input);
      notify(s);
      return message;
    },
    reactionsOn: (channel, ts) => reactionsOn(s, channel, ts),
    ephemeralsIn: (channel) => s.ephemerals.filter((m) => m.channel === channel),
    viewById: (id) => s.views.get(id),
    viewOpenedBy: (triggerId) => viewOpenedBy(s, triggerId),
    showView: (view, id) => showView(s, view, id),
    homeViewOf: (userId) => homeViewOf(s, userId),
    fileContent: (id) => fileContent(s, id),
    registerFile: (file) => {
      const bytes = typeof file.bytes === "string" ? Buffer.from(file.bytes) : Buffer.from(file.bytes);
      const stored = { ...file, bytes, created: Math.floor(Date.now() / 1000) };
      s.registered.set(file.id, stored);
      return registeredFileObject(s, stored);
    },
    responseUrl: (id) => `${s.baseUrl}/response-url/${id ?? newId(s, "R")}`,
  } satisfies Partial<FakeSlack>;
}
