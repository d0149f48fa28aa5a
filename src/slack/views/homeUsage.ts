import type { KnownBlock } from "@slack/types";
import { formatPhone } from "../../domain/phone";
import { type MonthUsage, monthLabel } from "../../domain/usage";
import type { HomeTabData } from "../../services/home";
import { context, section } from "./kit";
import { clip, mrkdwn, SlackText } from "./text";

type UsageTab = Extract<HomeTabData, { tab: "usage" }>;

const LINES_PER_SECTION = 10;
const MAX_LISTED = 60;

const n = (value: number) => value.toLocaleString("en-US");
/** MMS and SMS are priced apart, so they are shown apart. */
const split = (month: MonthUsage) => `${n(month.sent)} sent (${n(month.mms)} MMS, ${n(month.sms)} SMS)`;

export function usageTabBlocks(data: UsageTab, chartUrl: string | null): KnownBlock[] {
  const { report } = data;
  const now = monthLabel(report.month);
  const before = monthLabel(report.previous);
  const { totals } = report;
  const summary = `${now} so far: ${split(totals.thisMonth)}, ${n(totals.thisMonth.received)} received. ${before}: ${split(totals.lastMonth)}, ${n(totals.lastMonth.received)} received.`;
  const blocks: KnownBlock[] = [
    section(
      mrkdwn`*Usage* · ${now} so far and ${before} (UTC)\n${summary}\nCounted as carriers bill: a group text or a text with media is one MMS per recipient, a text to one number one SMS per segment; received counts the texts contacts sent.`,
    ),
  ];
  if (chartUrl) {
    blocks.push({
      type: "image",
      image_url: chartUrl,
      alt_text: clip(`Bar chart of texts sent and received per line. ${summary}`, 2000),
      title: { type: "plain_text", text: "Texts per line (numbers match the list below)" },
    });
  }
  const listed = report.lines.slice(0, MAX_LISTED);
  for (let i = 0; i < listed.length; i += LINES_PER_SECTION) {
    const rows = listed.slice(i, i + LINES_PER_SECTION).map((line, j) => {
      const k = i + j + 1;
      return mrkdwn`${k}. *${line.name}* · ${formatPhone(line.number)}${line.active ? "" : " _(inactive)_"}\n      this month ${split(line.thisMonth)}, last month ${split(line.lastMonth)} · received ${n(line.thisMonth.received)} this month, ${n(line.lastMonth.received)} last month`;
    });
    blocks.push(section(SlackText.join(rows, "\n")));
  }
  if (report.lines.length > listed.length) {
    blocks.push(context(mrkdwn`…and ${report.lines.length - listed.length} more lines.`));
  }
  if (report.lines.length === 0) blocks.push(section(mrkdwn`_No lines yet._`));
  if (!chartUrl) blocks.push(context(mrkdwn`Set PUBLIC_URL to show these figures as a chart too.`));
  return blocks;
}
