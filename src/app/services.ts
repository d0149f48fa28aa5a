import { createBandwidthMessaging } from "../bandwidth/client";
import type { Config } from "../config";
import type { Logger } from "../logger";
import { AdminService } from "../services/admins";
import { ConsentAdminService } from "../services/consentAdmin";
import { ContactService } from "../services/contacts";
import { CountedInboundService } from "../services/countedInbound";
import { GroupChoicesService } from "../services/groupChoices";
import { GroupStartService } from "../services/groupStart";
import { HomeService } from "../services/home";
import { InteractionReceipts } from "../services/interactions";
import { LineService } from "../services/lines";
import { MultiSendService } from "../services/multiSend";
import { OutboundService } from "../services/outbound";
import { SendEvidence } from "../services/sendEvidence";
import { SettingsService } from "../services/settings";
import { TextSender } from "../services/textSender";
import { ThreadActionService } from "../services/threadActions";
import { ThreadSyncService } from "../services/threadSync";
import { UsageService } from "../services/usage";
import type { SlackEdge } from "../slack/bolt";
import { HomePublisher } from "../slack/homePublisher";
import type { HomeDeps } from "../slack/listeners/homeDeps";
import { createUserLookup, createUserNames } from "../slack/users";
import { type Infrastructure, withDeadline } from "./infrastructure";

/** How long the admin check of a thread action may take: it runs while Slack waits 3 s. */
const ADMIN_CHECK_MS = 1_000;

export type Services = ReturnType<typeof createServices>;

/** Every service, wired to its ports: the database, the job queue, Slack's and Bandwidth's adapters. */
export function createServices(config: Config, logger: Logger, infra: Infrastructure, slack: SlackEdge) {
  const {
    db,
    locks,
    shutdown,
    metrics,
    requestThreadSync,
    requestOutbound,
    requestGroupStart,
    requestMultiSendReport,
  } = infra;
  const bandwidth = createBandwidthMessaging(config, metrics, shutdown);
  const sender = new TextSender(db, locks, bandwidth, logger, shutdown);
  const evidence = new SendEvidence({
    db,
    bandwidth,
    logger,
    confirmWaitMs: config.SEND_CONFIRM_WAIT_MS,
    shutdown,
  });
  const threads = new ThreadSyncService({
    db,
    requestThreadSync,
    locks,
    publisher: slack.threadPublisher,
    bandwidth,
    logger,
    defaultChannel: config.SLACK_DEFAULT_CHANNEL,
  });
  const groups = new GroupStartService({
    db,
    sender,
    publisher: slack.publisher,
    logger,
    locks,
    requestThreadSync,
    requestGroupStart,
    requestMultiSendReport,
    evidence,
    channels: slack.channels,
    openThread: threadOpener(infra, threads),
  });
  const outbound = new OutboundService({
    db,
    locks,
    sender,
    publisher: slack.publisher,
    logger,
    requestThreadSync,
    requestOutbound,
    media: bandwidth,
    evidence,
    userName: createUserNames(slack.app.client),
  });
  const { home, homeDeps, usage, threadActions } = createHome(config, logger, infra, slack);
  return {
    groups,
    threads,
    outbound,
    threadActions,
    home,
    homeDeps,
    usage,
    choices: new GroupChoicesService(db),
    multiSends: new MultiSendService({ db, locks, publisher: slack.publisher, logger }),
    // Contacts' texts are posted straight from the process that took them in (see postSoon).
    inbound: new CountedInboundService(
      {
        db,
        locks,
        logger,
        requestThreadSync: (id) => threads.postSoon(id),
        postTaken: (batch) => threads.postTaken(batch),
        requestOutbound,
      },
      metrics,
    ),
  };
}

/**
 * App Home: the admin console and members' view, its services and what its listeners need; and the
 * thread actions, which share its admins and interaction receipts.
 */
function createHome(config: Config, logger: Logger, infra: Infrastructure, slack: SlackEdge) {
  const { db, requestThreadSync } = infra;
  const admins = new AdminService(db, createUserLookup(slack.app.client), logger);
  const lines = new LineService(db, requestThreadSync);
  const contacts = new ContactService(db);
  const consentAdmin = new ConsentAdminService(db, requestThreadSync);
  const settings = new SettingsService(db);
  const usage = new UsageService(db);
  const home = new HomePublisher({
    client: slack.app.client,
    admins,
    home: new HomeService({ db, admins, lines, contacts, consentAdmin, settings, usage }),
    command: config.SLACK_COMMAND,
    publicUrl: config.PUBLIC_URL,
    chartSecret: config.SLACK_SIGNING_SECRET,
    logger,
  });
  const interactions = new InteractionReceipts(db);
  const threadActions = new ThreadActionService({
    db,
    interactions,
    requestThreadSync,
    // A Slack too slow to say counts as "not an admin", which only ever refuses (taking someone
    // else's conversation), never allows.
    isAdmin: (userId) => withDeadline(admins.isAdmin(userId), ADMIN_CHECK_MS).catch(() => false),
    hasMember: (channel, userId) => slack.channels.hasMember(channel, userId),
  });
  const homeDeps: HomeDeps = {
    admins,
    interactions,
    lines,
    contacts,
    consentAdmin,
    settings,
    home,
    logger,
    downloadFile: slack.publisher.downloadFile,
  };
  return { home, homeDeps, usage, threadActions };
}

/** Posts a new conversation's root at once and says where its thread is (null if it could not be posted). */
function threadOpener(infra: Infrastructure, threads: ThreadSyncService) {
  return async (conversationId: string) => {
    await threads.sync(conversationId);
    const opened = await infra.db.groupConversation.findUnique({
      where: { id: conversationId },
      select: { channelId: true, threadTs: true },
    });
    return opened?.channelId && opened.threadTs
      ? { channel: opened.channelId, threadTs: opened.threadTs }
      : null;
  };
}
