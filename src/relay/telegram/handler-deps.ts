import type { InlineKeyboardMarkup } from "grammy/types";
import type { Clock } from "../../clock";
import type { Log } from "../../log";
import type { Core } from "../core";
import { plain, type FormattedText } from "../format";
import type { Invites } from "../invites";
import type { ApprovalCards } from "./approval-cards";
import type { CallbackRouter } from "./callback-router";
import type { RaContext } from "./context";
import type { DraftRegistry } from "./drafts";
import type { Messenger } from "./messenger";
import { threadOfUpdate, type Topics } from "./topics";
import type { TurnSurface } from "./turn-surface";
import type { WebAuth } from "../web/auth";

/** What the bot's command and button handlers work with. */
export type HandlerDeps = {
  core: Core;
  messenger: Messenger;
  clock: Clock;
  log: Log;
  router: CallbackRouter;
  turnViews: TurnSurface;
  cards: ApprovalCards;
  invites: Invites;
  topics?: Topics;
  drafts?: DraftRegistry;
  /** The web app's sign-in (for /web), when the relay serves it. */
  web?: WebSignIn;
};

/** What /web needs of the web app: links and sessions, and the URL the links start with. */
export type WebSignIn = { auth: WebAuth; baseUrl: () => string };

/** Answers in the update's chat (and topic). */
export const replier = (messenger: Messenger) => (ctx: RaContext, ft: FormattedText | string, markup?: InlineKeyboardMarkup) =>
  messenger.send(ctx.chat!.id, typeof ft === "string" ? plain(ft) : ft, { markup, threadId: threadOfUpdate(ctx) });
