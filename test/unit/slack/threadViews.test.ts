import { MAX_GROUP_CONTACTS } from "../../../src/domain/participants";
import { encodeThreadModalOrigin, verifyThreadModalOrigin } from "../../../src/slack/threadModalOrigin";
import {
  assignModalView,
  participantsModalView,
  renameModalView,
} from "../../../src/slack/views/threadModals";
import { threadRootBlocks } from "../../../src/slack/views/threadRoot";
import { blockKitProblems } from "../../support/blockKitLimits";

const SECRET = "test-signing-secret";
const CONVERSATION = "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5";

describe("thread modal origin", () => {
  const metadata = encodeThreadModalOrigin(SECRET, { conversationId: CONVERSATION, userId: "UDANA" });

  it("is accepted from the member it was signed for", () => {
    expect(verifyThreadModalOrigin(SECRET, metadata, "UDANA")).toEqual({
      conversationId: CONVERSATION,
      userId: "UDANA",
    });
  });

  it("is refused from anyone else, with another conversation, another secret, or unreadable", () => {
    expect(verifyThreadModalOrigin(SECRET, metadata, "UEVAN")).toBeNull();
    const other = metadata.replace(CONVERSATION, "00000000-0000-4000-8000-000000000000");
    expect(verifyThreadModalOrigin(SECRET, other, "UDANA")).toBeNull();
    const forUser = JSON.stringify({ ...JSON.parse(metadata), userId: "UEVAN" });
    expect(verifyThreadModalOrigin(SECRET, forUser, "UEVAN")).toBeNull();
    expect(verifyThreadModalOrigin("another-secret", metadata, "UDANA")).toBeNull();
    expect(verifyThreadModalOrigin(SECRET, "not json", "UDANA")).toBeNull();
    expect(verifyThreadModalOrigin(SECRET, `${metadata}${" ".repeat(600)}`, "UDANA")).toBeNull();
  });
});

describe("thread views stay within Block Kit's limits", () => {
  const longName = "N".repeat(200);
  const participants = Array.from({ length: MAX_GROUP_CONTACTS }, (_, i) => ({
    number: `+1212555${String(100 + i).padStart(4, "0")}`,
    name: `${longName} ${i}`,
  }));
  const form = { conversationId: CONVERSATION, name: "x".repeat(80), assignee: "UEVAN", participants };

  it.each([
    ["rename", renameModalView(form, "{}")],
    ["participants", participantsModalView(form, "{}")],
    ["assign", assignModalView(form, "{}")],
  ])("the %s modal", (_name, view) => {
    expect(blockKitProblems(view as never)).toEqual([]);
  });

  it("the root, closed and assigned, with its menu", () => {
    const blocks = threadRootBlocks({
      groupName: longName,
      line: { name: longName, number: "+19195550100", active: true },
      participants: participants.map((p) => ({ ...p, optedOut: false })),
      startedBy: "UDANA",
      noteMarker: "//",
      cost: "9 MMS",
      closed: true,
      assignee: "UEVAN",
      lastAction: { actor: null, what: "reopened", at: new Date() },
    });
    expect(blockKitProblems({ type: "modal", blocks } as never)).toEqual([]);
    const menu = JSON.stringify(blocks.at(-1));
    expect(menu).toContain('"value":"reopen"');
    expect(menu).not.toContain('"value":"close"');
  });
});
