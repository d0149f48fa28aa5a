import type { App } from "@slack/bolt";
import { z } from "zod";
import type { GroupStartService, StartGroupField } from "../../../services/groupStart";
import { GROUP_MODAL_BLOCKS, GROUP_MODAL_CALLBACK, INPUT_ACTION } from "../../views/groupModal";

const stateValue = z
  .object({
    value: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
    selected_options: z.array(z.object({ value: z.string() })).nullish(),
  })
  .passthrough();

const submission = z.object({
  private_metadata: z.string().transform((raw, ctx) => {
    try {
      return z.object({ channelId: z.string().min(1) }).parse(JSON.parse(raw));
    } catch {
      ctx.addIssue({ code: "custom", message: "private_metadata is not the modal's" });
      return z.NEVER;
    }
  }),
  state: z.object({ values: z.record(z.string(), z.record(z.string(), stateValue)) }),
  blocks: z.array(z.object({ block_id: z.string().optional() }).passthrough()).default([]),
});

export function register(app: App, groups: GroupStartService): void {
  app.view(GROUP_MODAL_CALLBACK, async ({ ack, body, view, logger }) => {
    const parsed = submission.safeParse(view);
    if (!parsed.success) {
      logger.warn("group modal submission did not parse", parsed.error.issues);
      await ack({
        response_action: "errors",
        errors: { [GROUP_MODAL_BLOCKS.message]: "Something went wrong reading this form; please reopen it." },
      });
      return;
    }
    const { values } = parsed.data.state;
    const field = (block: string) => values[block]?.[block + INPUT_ACTION];
    const result = await groups.request({
      userId: body.user.id,
      channelId: parsed.data.private_metadata.channelId,
      lineId: field(GROUP_MODAL_BLOCKS.line)?.selected_option?.value ?? null,
      contactIds: (field(GROUP_MODAL_BLOCKS.contacts)?.selected_options ?? []).map((o) => o.value),
      typedNumbers: field(GROUP_MODAL_BLOCKS.numbers)?.value ?? "",
      name: field(GROUP_MODAL_BLOCKS.name)?.value ?? null,
      text: field(GROUP_MODAL_BLOCKS.message)?.value ?? "",
    });
    if (result.ok) {
      await ack();
      return;
    }
    // Slack refuses errors on blocks the view does not have, so such an error moves to the message.
    const present = new Set(parsed.data.blocks.map((b) => b.block_id));
    const errors: Record<string, string> = {};
    for (const [name, message] of Object.entries(result.errors) as [StartGroupField, string][]) {
      const block = present.has(GROUP_MODAL_BLOCKS[name])
        ? GROUP_MODAL_BLOCKS[name]
        : GROUP_MODAL_BLOCKS.message;
      errors[block] = errors[block] ? `${errors[block]} ${message}` : message;
    }
    await ack({ response_action: "errors", errors });
  });
}
