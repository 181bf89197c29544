import type { WebApprovalAction, WebCommand, WebResult } from "../../proto/web";
import type { Core } from "../core";
import type { ApprovalAction } from "../core/approvals";
import { visibleDevices } from "../core/devices";
import type { User } from "../store/types";
import { pairCommand } from "./pairing";
import type { WebSurface } from "./surface";

const ACTIONS: Record<Exclude<WebApprovalAction, "denyReason" | "option">, ApprovalAction> = { allow: "a", allowSession: "s", allowWide: "w", deny: "d", approvePlan: "p", keepPlanning: "k" };
const NOT_YOURS = "That machine is not one of yours, or it is no longer paired. Pick another one.";

/**
 * A browser's command as one core call, exactly like the Telegram surface's: prompts become turns
 * of the person's private chat, so both surfaces show them. Returns the line the app shows.
 */
export async function runCommand(core: Core, surface: WebSurface, user: User, command: WebCommand): Promise<Omit<WebResult, "type" | "ref">> {
  const chatId = user.telegramId;
  if (command.type === "approval") return answerApproval(core, user, command);
  if (command.type === "pair" || command.type === "pair.confirm") return pairCommand(core, surface, user, command);
  if (command.type === "cancel") {
    const turn = await core.store.turn(command.turnId);
    if (!turn || turn.chatId !== chatId) return { ok: false, message: "This turn is not yours." };
    return await core.turns.cancel(turn.id) ? { ok: true, message: "Cancelled." } : { ok: false, message: "It is no longer waiting." };
  }
  const device = (await visibleDevices(core.store, user)).find((d) => d.id === command.deviceId);
  if (!device) return { ok: false, message: NOT_YOURS };
  switch (command.type) {
    case "prompt": {
      const turn = await core.turns.submit(chatId, device, command.text);
      return { ok: true, message: turn.id };
    }
    case "stop": {
      const { interrupted, cancelled } = await core.turns.stop(chatId, device.id);
      if (!interrupted && !cancelled) return { ok: false, message: `Nothing runs on ${device.name}.` };
      return { ok: true, message: [interrupted ? "Stopping…" : "", cancelled ? `${cancelled} waiting prompt(s) cancelled.` : ""].filter(Boolean).join(" ") };
    }
    case "new": {
      await core.turns.newSession(chatId, device.id);
      surface.toChat(chatId, { type: "conversation", deviceId: device.id });
      return { ok: true, message: `New conversation with ${device.name}.` };
    }
    case "revoke": {
      await core.machines.revoke(device);
      return { ok: true, message: `${device.name} is revoked: disconnected, and its token no longer works.` };
    }
    case "mode": {
      const outcome = await core.turns.setMode(chatId, device.id, command.mode);
      void surface.deviceChanged(device.id);
      if (outcome === "refused") return { ok: false, message: `${device.name} allows at most ${core.limits.of(device.id)?.maxMode} (set on the machine with ra agent --max-mode).` };
      return { ok: true, message: outcome === "sent" ? `Permission mode on ${device.name}: ${command.mode}.` : `${device.name} is offline; ${command.mode} applies when it is back.` };
    }
    case "cd": {
      await core.turns.stop(chatId, device.id);
      await core.turns.changeDir(chatId, device.id, command.path);
      surface.toChat(chatId, { type: "conversation", deviceId: device.id });
      void surface.deviceChanged(device.id);
      return { ok: true, message: `Next prompts on ${device.name} run in ${command.path} (a fresh conversation; ${device.name} checks that the folder is allowed).` };
    }
    case "select": {
      await core.store.selectDevice(chatId, device.id);
      surface.toChat(chatId, { type: "selected", deviceId: device.id });
      return { ok: true, message: `Prompts now go to ${device.name}.` };
    }
  }
}

async function answerApproval(core: Core, user: User, command: Extract<WebCommand, { type: "approval" }>): Promise<{ ok: boolean; message: string }> {
  const chatId = user.telegramId;
  if (command.action === "option" && command.option === undefined) return { ok: false, message: "Pick an option." };
  if (command.action !== "denyReason") {
    const action: ApprovalAction = command.action === "option" ? `q${command.option ?? 0}` : ACTIONS[command.action];
    const said = await core.approvals.answer(command.approvalId, action, user.telegramId, chatId);
    return { ok: said === "Allowed" || said === "Denied", message: said };
  }
  if (!command.reason) return { ok: false, message: "Write the reason first." };
  const said = await core.approvals.denyWithReason(command.approvalId, user.telegramId, chatId, command.reason);
  return { ok: said === "Denied", message: said };
}
