import { type Harness, SALES_LINE, startHarness } from "../support/harness";
import { ADMIN, HOME_USERS, homeAction, nextHome, openHome } from "../support/homeDriver";

/*
 * Issue 9, finding 8: /metrics grew without bound, because each file upload URL Slack hands out
 * (unique per file) became a label value of its own. Labels must come from a bounded set.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ users: HOME_USERS });
});
afterAll(async () => {
  await h.stop();
});

/** The method labels of the API call counter, with their counts. */
async function apiCallMethods(): Promise<Map<string, number>> {
  const text = await (await fetch(`${h.app.url}/metrics`)).text();
  const methods = new Map<string, number>();
  for (const match of text.matchAll(/^replyall_api_calls_total\{([^}]*)\} (\d+)/gm)) {
    const method = /method="([^"]*)"/.exec(match[1] ?? "")?.[1] ?? "";
    methods.set(method, (methods.get(method) ?? 0) + Number(match[2]));
  }
  return methods;
}

test("every file uploaded to Slack counts under one bounded label, never under its URL", async () => {
  const line = await h.app.db.line.findUniqueOrThrow({ where: { number: SALES_LINE } });
  let home = await openHome(h, ADMIN);
  const EXPORTS = 6;
  for (let i = 0; i < EXPORTS; i++) {
    const view = home;
    home = await nextHome(h, ADMIN, () =>
      homeAction(h, ADMIN, { action_id: "home_optout_export", value: line.id }, { view }),
    );
  }
  expect(h.slack.callsTo("files.completeUploadExternal")).toHaveLength(EXPORTS);

  const methods = await apiCallMethods();
  expect(methods.get("files.upload")).toBe(EXPORTS);
  for (const method of methods.keys()) expect(method).toMatch(/^[a-z]+(\.[A-Za-z]+)+$/);
  // Six uploads, and the method labels are still the handful of Web API methods the app calls.
  expect(methods.size).toBeLessThanOrEqual(8);
});
