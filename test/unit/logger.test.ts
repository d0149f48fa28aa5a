import { Writable } from "node:stream";
import { AxiosError, AxiosHeaders } from "axios";
import { createLogger, loggableError } from "../../src/logger";

test("an error is logged as its kind, message, stack and codes, never the request it carries", () => {
  const lines: string[] = [];
  const logger = createLogger(
    "info",
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const headers = new AxiosHeaders({ Authorization: "Basic YnctdXNlcjpidy1wYXNzd29yZA==" });
  const axiosError = new AxiosError("Request failed with status code 400", "ERR_BAD_REQUEST", {
    headers,
    data: '{"text":"my door code is 4417"}',
  });
  const boltLike = Object.assign(new Error("Unhandled HTTP request (GET) made to /x"), {
    req: { headers: { authorization: "Basic Y2I6c2VjcmV0" } },
    res: { socket: {} },
  });
  const slackLike = Object.assign(new Error("An API error occurred: channel_not_found"), {
    code: "slack_webapi_platform_error",
    data: { ok: false, error: "channel_not_found", response_metadata: { token: "xoxb-1" } },
  });
  logger.error({ err: axiosError }, "a");
  logger.error({ err: new Error("wrapped", { cause: boltLike }) }, "b");
  logger.error(slackLike, "c");
  const logged = lines.join("");
  for (const secret of ["YnctdXNlcjpidy1wYXNzd29yZA==", "Y2I6c2VjcmV0", "4417", "xoxb-1"])
    expect({ secret, logged: logged.includes(secret) }).toEqual({ secret, logged: false });
  expect(logged).toContain("Request failed with status code 400");
  expect(logged).toContain("ERR_BAD_REQUEST");
  expect(logged).toContain("Unhandled HTTP request (GET) made to /x");
  expect(logged).toContain('"slackError":"channel_not_found"');
  expect(loggableError("plain")).toEqual({ message: "plain" });
});
