import type { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { complianceModalView } from "../../views/complianceModal";
import { COMPLIANCE_ACTIONS, HOME_ACTIONS, LINE_MENU_OPS } from "../../views/homeIds";
import { lineModalView } from "../../views/lineModal";
import { mrkdwn } from "../../views/text";
import { type HomeAction, onAdminAction, openModal } from "../homeAction";
import type { HomeDeps } from "../homeDeps";
import { notice } from "../homeNotice";
import { complianceInput } from "../views/homeCompliance";

const menuValue = z
  .string()
  .regex(new RegExp(`^(${LINE_MENU_OPS.join("|")}):[0-9a-f-]{36}$`))
  .transform((v) => {
    const [op, id] = v.split(":") as [(typeof LINE_MENU_OPS)[number], string];
    return { op, id };
  });

type Handler = (action: HomeAction, client: WebClient) => Promise<void>;

/** Lines in the Home tab: add, the per-line menu, and the compliance modal's buttons. */
export function register(app: App, deps: HomeDeps): void {
  onAdminAction(app, deps, HOME_ACTIONS.lineAdd, addLine(deps));
  onAdminAction(app, deps, HOME_ACTIONS.lineMenu, lineMenu(deps));
  onAdminAction(app, deps, COMPLIANCE_ACTIONS.preview, previewCompliance(deps));
  onAdminAction(app, deps, COMPLIANCE_ACTIONS.reset, resetCompliance(deps));
}

export function addLine(deps: HomeDeps): Handler {
  return async (action, client) => {
    await openModal(client, deps, action, lineModalView({ home: action.home }));
  };
}

/** A line's menu: edit, compliance messages, its opt-outs, deactivate or activate. */
export function lineMenu(deps: HomeDeps): Handler {
  return async (action, client) => {
    const parsed = menuValue.safeParse(action.action.selected_option?.value);
    if (!parsed.success) return;
    const { op, id } = parsed.data;
    const line = await deps.lines.get(id);
    const { userId, home } = action;
    if (!line) {
      await deps.home.publish(userId, home, notice("error", mrkdwn`That line no longer exists.`));
      return;
    }
    switch (op) {
      case "edit":
        await openModal(client, deps, action, lineModalView({ home, line }));
        return;
      case "compliance": {
        const { messages, defaults } = deps.lines.compliance(line);
        await openModal(client, deps, action, complianceModalView({ home, line, messages, defaults }));
        return;
      }
      case "optouts":
        await deps.home.publish(userId, { ...home, tab: "optouts", page: 0, lineId: line.id });
        return;
      case "deactivate":
      case "activate":
        await setActive(deps, action, line, op === "activate");
        return;
    }
  };
}

async function setActive(
  deps: HomeDeps,
  { userId, home }: HomeAction,
  line: { id: string; name: string; groupEnabled: boolean },
  active: boolean,
): Promise<void> {
  const updated = await deps.lines.setActive(line.id, active);
  const name = line.name;
  await deps.home.publish(
    userId,
    home,
    updated
      ? notice(
          "ok",
          active
            ? mrkdwn`*${name}* is active again and offered in the group modal${line.groupEnabled ? "" : " once group texts are enabled"}.`
            : mrkdwn`*${name}* is deactivated: it is no longer offered, and replies in its threads are not texted. Reactivate it from its menu.`,
        )
      : notice("error", mrkdwn`That line no longer exists.`),
  );
}

/** In the compliance modal: recount lengths and segments of what was typed. */
export function previewCompliance(deps: HomeDeps): Handler {
  return async (action, client) => {
    const view = action.view;
    const lineId = view?.metadata?.id;
    if (!view || !lineId) return;
    const line = await deps.lines.get(lineId);
    if (!line) return;
    const { defaults } = deps.lines.compliance(line);
    // Keep the version the form was opened at, so a save still detects someone else's edit.
    const version = view.metadata?.version ? new Date(view.metadata.version) : line.updatedAt;
    await client.views
      .update({
        view_id: view.id,
        ...(view.hash ? { hash: view.hash } : {}),
        view: complianceModalView({
          home: action.home,
          line: { ...line, updatedAt: version },
          messages: complianceInput(view.form),
          defaults,
        }),
      })
      .catch((error: unknown) => {
        // The modal changed meanwhile (another preview, a reset): that newer view stays.
        if ((error as { data?: { error?: string } }).data?.error !== "hash_conflict") throw error;
      });
  };
}

/** In the compliance modal: back to the default messages, at once. */
export function resetCompliance(deps: HomeDeps): Handler {
  return async (action, client) => {
    const view = action.view;
    const lineId = view?.metadata?.id;
    if (!view || !lineId) return;
    const line = await deps.lines.resetCompliance(lineId);
    if (!line) return;
    const { messages, defaults } = deps.lines.compliance(line);
    await client.views.update({
      view_id: view.id,
      view: complianceModalView({
        home: action.home,
        line,
        messages,
        defaults,
        notice: notice("ok", mrkdwn`Reset to the default messages. They are already in use.`),
      }),
    });
    await deps.home.publish(action.userId, action.home);
  };
}
