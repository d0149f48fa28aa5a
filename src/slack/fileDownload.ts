import { FileRefused, megabytes } from "../domain/media";

/**
 * Where a file URL may take the bot token: Slack's file host over HTTPS, and the origin of the
 * Web API the app talks to (Slack itself in production, the local stand-in in tests). A file
 * object's `url_private` can name any host (remote files do), so the token must never simply
 * follow the URL.
 */
export const SLACK_FILE_ORIGIN = "https://files.slack.com";

/** Slack's own file links redirect at most once or twice; anything longer is not Slack. */
export const MAX_FILE_REDIRECTS = 3;

const DOWNLOAD_TIMEOUT_MS = 30_000;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface SlackFileFetcher {
  /** Whether the app would fetch this URL with its token at all. */
  allows(url: string): boolean;
  /**
   * The file's bytes, at most `maxBytes` of them. Throws FileRefused, with a reason for the
   * author, when the URL or a redirect leaves Slack, Slack refuses, or the file is too large
   * (whatever it declared); other errors (network, 5xx) are worth a retry.
   */
  download(url: string, maxBytes: number): Promise<Buffer>;
}

export function slackFileOrigins(slackApiUrl: string | undefined): ReadonlySet<string> {
  const origins = new Set([SLACK_FILE_ORIGIN]);
  if (slackApiUrl) {
    const api = new URL(slackApiUrl);
    // Plain HTTP only for a stand-in on this machine (tests, the sandbox); a real Slack is HTTPS.
    if (api.protocol === "https:" || isLoopback(api.hostname)) origins.add(api.origin);
  }
  return origins;
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function parse(url: string, base?: URL): URL | null {
  try {
    return new URL(url, base);
  } catch {
    return null;
  }
}

export function createSlackFileFetcher(options: {
  botToken: string;
  origins: ReadonlySet<string>;
  fetch: typeof fetch;
}): SlackFileFetcher {
  const { botToken, origins } = options;
  // Credentials in a URL would be sent as Basic auth alongside ours: not a Slack link.
  const allowed = (url: URL | null): url is URL =>
    url !== null && origins.has(url.origin) && !url.username && !url.password;

  return {
    allows: (url) => allowed(parse(url)),

    async download(url, maxBytes) {
      const first = parse(url);
      if (!allowed(first)) throw new FileRefused("its link does not point to Slack's file servers");
      const signal = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
      let current: URL = first;
      for (let hop = 0; ; hop++) {
        // Redirects are followed by hand so that each hop is checked before anything is sent.
        const sameOrigin = current.origin === first.origin;
        const response = await options.fetch(current, {
          headers: sameOrigin ? { Authorization: `Bearer ${botToken}` } : {},
          redirect: "manual",
          signal,
        });
        if (REDIRECT_STATUSES.has(response.status)) {
          await response.body?.cancel();
          const next = parse(response.headers.get("location") ?? "", current);
          if (!allowed(next)) throw new FileRefused("Slack's link sent the app on to another site");
          if (hop + 1 > MAX_FILE_REDIRECTS) throw new FileRefused("its link redirected too many times");
          current = next;
          continue;
        }
        if (!response.ok) {
          await response.body?.cancel();
          if (response.status >= 400 && response.status < 500 && response.status !== 429)
            throw new FileRefused(`Slack would not hand it over (HTTP ${response.status})`);
          throw new Error(`Slack file download failed with ${response.status}`);
        }
        return readCapped(response, maxBytes);
      }
    },
  };
}

/** Reads a body, giving up as soon as it passes the cap, whatever Content-Length said. */
async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new FileRefused(`it is larger than ${megabytes(maxBytes)}`);
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
