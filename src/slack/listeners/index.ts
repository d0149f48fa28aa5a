import type { App, CodedError, Context } from "@slack/bolt";
import type { Logger } from "../../logger";
import type { GroupChoicesService } from "../../services/groupChoices";
import type { GroupStartService } from "../../services/groupStart";
import type { OutboundService } from "../../services/outbound";
import type { ThreadActionService } from "../../services/threadActions";
import type { HomePublisher } from "../homePublisher";
import * as groupModalEstimate from "./actions/groupModalEstimate";
import * as homeContactActions from "./actions/homeContacts";
import * as homeLineActions from "./actions/homeLines";
import * as homeNavigation from "./actions/homeNavigation";
import * as homeOptOutActions from "./actions/homeOptOuts";
import * as homeSettingsActions from "./actions/homeSettings";
import * as sendAgainAction from "./actions/sendAgain";
import * as threadActionMenu from "./actions/threadActions";
import * as groupText from "./commands/groupText";
import * as appHome from "./events/appHome";
import * as threadReply from "./events/threadReply";
import type { HomeDeps } from "./homeDeps";
import * as groupModalOptions from "./options/groupModal";
import * as newGroupShortcut from "./shortcuts/newGroupText";
import * as groupStartView from "./views/groupStart";
import * as homeComplianceView from "./views/homeCompliance";
import * as homeConsentView from "./views/homeConsent";
import * as homeContactView from "./views/homeContact";
import * as homeImportView from "./views/homeImport";
import * as homeLineView from "./views/homeLine";
import * as threadActionViews from "./views/threadActions";

export interface ListenerDeps {
  /** The slash command's name, e.g. "/grouptext". */
  command: string;
  /** Signs and checks modal metadata (see slack/modalOrigin). */
  signingSecret: string;
  groups: GroupStartService;
  choices: GroupChoicesService;
  outbound: OutboundService;
  threadActions: ThreadActionService;
  home: HomePublisher;
  homeDeps: HomeDeps;
  logger: Logger;
}

/** Every Slack surface the app listens on, one module per surface (commands, views, events, actions…). */
export function registerListeners(app: App, deps: ListenerDeps): void {
  const { command, signingSecret, groups, outbound, home, homeDeps } = deps;
  // The group: slash command, shortcut, its modal's options, live estimate and submission.
  groupText.register(app, command, groups, signingSecret);
  newGroupShortcut.register(app, groups, signingSecret);
  groupModalOptions.register(app, deps.choices, signingSecret);
  groupModalEstimate.register(app, signingSecret, groups);
  groupStartView.register(app, groups, signingSecret);
  // The thread: teammates' replies, and the decision on a text not confirmed.
  threadReply.register(app, outbound);
  sendAgainAction.register(app, outbound);
  // The thread root's menu and the modals it opens: rename, participants, close, reopen, assign.
  threadActionMenu.register(app, deps.threadActions, signingSecret, deps.logger);
  threadActionViews.register(app, deps.threadActions, signingSecret, deps.logger);
  // App Home: its tabs, actions and modals.
  appHome.register(app, home);
  homeNavigation.register(app, homeDeps);
  homeLineActions.register(app, homeDeps);
  homeContactActions.register(app, homeDeps);
  homeOptOutActions.register(app, homeDeps);
  homeSettingsActions.register(app, homeDeps);
  homeLineView.register(app, homeDeps);
  homeComplianceView.register(app, homeDeps);
  homeContactView.register(app, homeDeps);
  homeImportView.register(app, homeDeps);
  homeConsentView.register(app, homeDeps);
  // With extendedErrorHandler, Bolt passes the request context too.
  app.error(async ({ error, context }: { error: CodedError; context: Context }) => {
    deps.logger.error({ err: error, requestId: context.requestId }, "Slack listener failed");
  });
}
