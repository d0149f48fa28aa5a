import type { KnownBlock, Overflow } from "@slack/types";
import { formatPhone } from "../../domain/phone";
import type { HomeTabData } from "../../services/home";
import { PAGE_SIZES } from "../../services/home";
import { HOME_ACTIONS, type LineMenuOp } from "./homeIds";
import { button, pager, plain, plural, section } from "./kit";
import { channelMention, mrkdwn, SlackText } from "./text";

type LinesTab = Extract<HomeTabData, { tab: "lines" }>;

function lineMenu(line: LinesTab["lines"][number]): Overflow {
  const option = (op: LineMenuOp, text: string) => ({ text: plain(text), value: `${op}:${line.id}` });
  return {
    type: "overflow",
    action_id: HOME_ACTIONS.lineMenu,
    options: [
      option("edit", "Edit name, group texts, channel"),
      option("compliance", "Compliance messages"),
      option("optouts", "Opt-out list"),
      line.active ? option("deactivate", "Deactivate") : option("activate", "Reactivate"),
    ],
  };
}

export function linesTabBlocks(data: LinesTab): KnownBlock[] {
  const blocks: KnownBlock[] = [
    section(
      mrkdwn`*Lines* · ${plural(data.total, "line")}\nBandwidth numbers teammates text from. Only active, group-enabled lines are offered in the group modal.`,
      button("Add a line", HOME_ACTIONS.lineAdd, "add", "primary"),
    ),
  ];
  if (data.total === 0) blocks.push(section(mrkdwn`_No lines yet: add your first Bandwidth number._`));
  for (const line of data.lines) {
    const custom = [
      line.optOutMessage && "opt-out",
      line.optInMessage && "opt-in",
      line.helpMessage && "help",
    ]
      .filter(Boolean)
      .join(", ");
    const facts = [
      mrkdwn`${line.groupEnabled ? "Group texts" : "One-to-one only"}`,
      line.defaultChannel
        ? mrkdwn`new groups open in ${channelMention(line.defaultChannel)}`
        : mrkdwn`new groups open in the default channel`,
      mrkdwn`${plural(line.conversations, "conversation")}`,
      mrkdwn`${line.optedOut.toLocaleString("en-US")} opted out`,
    ];
    blocks.push(
      section(
        mrkdwn`${line.active ? "" : ":no_entry: "}*${line.name}* · ${formatPhone(line.number)}${line.active ? "" : " · _inactive_"}\n${SlackText.join(facts, " · ")}\nCompliance messages: ${custom ? `custom ${custom}` : "defaults"}`,
        lineMenu(line),
      ),
    );
  }
  blocks.push(...pager(HOME_ACTIONS.page, data.page, data.pages, PAGE_SIZES.lines, data.total, "lines"));
  return blocks;
}
