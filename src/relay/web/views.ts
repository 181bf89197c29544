import type { WebApproval, WebDevice, WebSnapshot, WebTool, WebTurn } from "../../proto/web";
import type { Core } from "../core";
import { deviceState, visibleDevices } from "../core/devices";
import { approvalView } from "./approval-view";
import type { Approval, Device, Turn, User } from "../store/types";
import { StreamMasks } from "./stream-mask";

/** Turns per machine a snapshot carries (the open conversation's newest). */
const SNAPSHOT_TURNS = 30;

/** The relay's rows as the browser sees them: the same facts Telegram shows, secrets masked. */
export class WebViews {
  constructor(
    private readonly core: Core,
    private readonly masks: StreamMasks,
  ) {}

  /** Whether this person may see this machine (as in Telegram: owners all, users their own). */
  sees(user: User, device: Pick<Device, "ownerId">): boolean {
    return user.role === "owner" || device.ownerId === user.telegramId;
  }

  async device(d: Device, viewer: User): Promise<WebDevice> {
    const owner = d.ownerId === viewer.telegramId ? undefined : await this.core.store.user(d.ownerId);
    const label = d.ownerId === viewer.telegramId ? d.name : `${d.name} (${owner?.name.split(/\s+/)[0] || d.ownerId})`;
    const fresh = (await this.core.store.device(d.id)) ?? d;
    const session = await this.core.store.openSession(viewer.telegramId, d.id);
    return {
      id: d.id,
      name: d.name,
      label,
      state: await deviceState(this.core.hub, this.core.turns, d),
      hostname: fresh.hostname,
      lastSeenAt: fresh.lastSeenAt,
      mode: session?.mode ?? "default",
      cwd: session?.cwd ?? null,
      maxMode: this.core.limits.of(d.id)?.maxMode ?? "acceptEdits",
    };
  }

  /** `fresh`: the turn only now started, so it has no answer yet (whatever the store holds by the time this runs comes as pieces). */
  async turn(turn: Turn, deviceId: string, extra: Partial<WebTurn> = {}, fresh = false): Promise<WebTurn> {
    const running = turn.status === "running";
    const ended = turn.status !== "running" && turn.status !== "queued";
    const live = running ? await this.masks.shown(turn.id, fresh ? 0 : undefined) : undefined;
    const text = live ? live.text : ended ? StreamMasks.whole(await this.core.store.turnText(turn.id)) : "";
    return {
      id: turn.id,
      deviceId,
      sessionId: turn.sessionId,
      prompt: turn.prompt,
      status: turn.status,
      text,
      ...(live?.tail ? { tail: live.tail } : {}),
      tools: storedTools(turn.tools),
      createdAt: turn.createdAt,
      endedAt: turn.endedAt,
      ...extra,
    };
  }

  approval(a: Approval): WebApproval {
    return approvalView(a);
  }

  async snapshot(user: User, epoch: string, seq: number): Promise<WebSnapshot> {
    const { store } = this.core;
    const devices = await visibleDevices(store, user);
    const turns = (await Promise.all(devices.map(async (d) => {
      const session = await store.openSession(user.telegramId, d.id);
      if (!session) return [];
      const rows = (await store.turnsOfSession(session.id, ["queued", "running", "done", "stopped", "failed"])).slice(-SNAPSHOT_TURNS);
      return Promise.all(rows.map((t) => this.turn(t, d.id)));
    }))).flat();
    const visible = new Set(devices.map((d) => d.id));
    return {
      type: "snapshot",
      epoch,
      seq,
      user: { id: user.telegramId, name: user.name, role: user.role },
      devices: await Promise.all(devices.map((d) => this.device(d, user))),
      selected: await store.selectedDevice(user.telegramId),
      turns: turns.sort((a, b) => a.createdAt - b.createdAt),
      approvals: (await this.core.approvals.pending(user.telegramId)).filter((a) => visible.has(a.deviceId)).map((a) => this.approval(a)),
    };
  }
}

/** The tool calls the Telegram surface keeps on the turn row (its JSON), read leniently. */
function storedTools(json: string): WebTool[] {
  const parsed = safeJson(json);
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((t): WebTool[] => {
    if (!t || typeof t !== "object" || typeof t.id !== "string" || typeof t.name !== "string") return [];
    return [{
      id: t.id,
      name: t.name,
      summary: typeof t.summary === "string" ? t.summary : "",
      ...(typeof t.added === "number" ? { added: t.added } : {}),
      ...(typeof t.removed === "number" ? { removed: t.removed } : {}),
      ...(typeof t.output === "string" ? { output: t.output } : {}),
      ...(typeof t.isError === "boolean" ? { isError: t.isError } : {}),
    }];
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
