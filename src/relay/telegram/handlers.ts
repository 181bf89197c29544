import type { Bot } from "grammy";
import { registerApprovalCommands } from "./approval-commands";
import type { RaContext } from "./context";
import { registerDevices } from "./device-commands";
import { registerDraftStop } from "./drafts";
import { registerFileCommands } from "./file-commands";
import { registerFolderCommands } from "./folder-commands";
import { registerDeskCommands } from "./desk-commands";
import { registerAutoCommands } from "./auto-commands";
import { registerScheduleCommands } from "./schedule-commands";
import type { HandlerDeps } from "./handler-deps";
import { registerPairing } from "./pairing-commands";
import { registerPrompts } from "./prompts";
import { cardOwnerGuard } from "./tap-guard";
import { targets } from "./targets";
import { registerSessionCommands } from "./session-commands";
import { registerCloseCommand } from "./close-command";
import { registerTurnCommands } from "./turn-commands";
import { registerUsers } from "./users";
import { registerWeb } from "./web-commands";

/** Every command, button and message handler, in the order grammY must try them. */
export function registerHandlers(bot: Bot<RaContext>, deps: HandlerDeps): void {
  const t = targets(deps);
  // Owners' /revoke of a person comes before /revoke of a machine; prompts come last.
  registerUsers(bot, { core: deps.core, invites: deps.invites, messenger: deps.messenger, router: deps.router, log: deps.log, signOut: deps.web && ((id) => deps.web!.auth.revokeUser(id)) });
  if (deps.drafts) registerDraftStop(bot, deps.drafts, deps.core.turns);
  registerPairing(bot, deps);
  registerDevices(bot, deps, t);
  registerTurnCommands(bot, deps, t);
  const terminalSessions = registerDeskCommands(bot, deps, t);
  registerSessionCommands(bot, deps, t, terminalSessions);
  registerCloseCommand(bot, deps, t);
  registerFolderCommands(bot, deps, t);
  registerApprovalCommands(bot, deps, t);
  registerFileCommands(bot, deps, t);
  registerAutoCommands(bot, deps, t);
  registerScheduleCommands(bot, deps, t);
  if (deps.web) registerWeb(bot, deps, deps.web);
  registerPrompts(bot, deps, t);
  deps.router.guard(cardOwnerGuard(deps.core));
  deps.router.install(bot);
}
