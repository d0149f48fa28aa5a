import type { KnownBlock } from "@slack/types";
import { formatPhone } from "../../domain/phone";
import type { HomeTabData } from "../../services/home";
import { HOME_ACTIONS } from "./homeIds";
import { button, context, plain, section } from "./kit";
import { mention, mrkdwn, slackDate } from "./text";

type OptOutsTab = Extract<HomeTabData, { tab: "optouts" }>;

const SOURCE: Record<string, string> = {
  KEYWORD: "texted a keyword",
  ADMIN: "by an admin",
  IMPORT: "imported",
};

export function optOutsTabBlocks(data: OptOutsTab): KnownBlock[] {
  const { line } = data;
  if (!line) return [section(mrkdwn`_No lines yet, so no opt-outs._`)];
  const options = data.lines.slice(0, 100).map((l) => ({
    text: plain(`${l.name} · ${formatPhone(l.number)}${l.active ? "" : " (inactive)"}`),
    value: l.id,
  }));
  const selected = options.find((o) => o.value === line.id);
  const blocks: KnownBlock[] = [
    section(
      mrkdwn`*Opt-outs* of *${line.name}* · ${formatPhone(line.number)} · ${data.total.toLocaleString("en-US")} opted out\nNumbers that texted STOP (or were opted out by an admin) get nothing from this line until they opt back in.`,
      {
        type: "static_select",
        action_id: HOME_ACTIONS.optOutLine,
        placeholder: plain("Line"),
        options,
        ...(selected ? { initial_option: selected } : {}),
      },
    ),
    {
      type: "actions",
      block_id: "home_optout_tools",
      elements: [
        button("Opt out a number", `${HOME_ACTIONS.consentOpen}_out`, `OPTED_OUT:${line.id}`),
        button("Opt a number back in", `${HOME_ACTIONS.consentOpen}_in`, `OPTED_IN:${line.id}`),
        button("Export CSV", HOME_ACTIONS.optOutExport, line.id),
      ],
    },
  ];
  if (data.entries.length === 0) blocks.push(section(mrkdwn`_Nobody has opted out of this line._`));
  for (const entry of data.entries) {
    const who = entry.name
      ? mrkdwn`*${entry.name}* · ${formatPhone(entry.number)}`
      : mrkdwn`*${formatPhone(entry.number)}*`;
    const when = slackDate(entry.since, "{date_short} {time}");
    const how =
      entry.source === "ADMIN" && entry.actor
        ? mrkdwn`by ${mention(entry.actor)}`
        : mrkdwn`${SOURCE[entry.source] ?? entry.source}`;
    const reason = entry.reason ? mrkdwn`: “${entry.reason}”` : mrkdwn``;
    blocks.push(section(mrkdwn`${who}\nOpted out ${when}, ${how}${reason}`));
  }
  if (data.total > data.entries.length) {
    blocks.push(
      context(
        mrkdwn`Showing the ${data.entries.length} most recent of ${data.total.toLocaleString("en-US")}. Export the CSV for the full list.`,
      ),
    );
  }
  return blocks;
}
