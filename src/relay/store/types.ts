/**
 * What the relay keeps, as plain rows, and the one interface the core reads and writes them
 * through. The default implementation is drizzle on bun:sqlite (relay/db); another store (Postgres)
 * implements the same interface. No SQL or driver type appears here.
 */
import type { PermissionMode } from "../../proto";
import type { Session, SessionSummary, StoredAttachment, Turn, TurnStatus } from "./conversation-types";

export type { Session, SessionSummary, StoredAttachment, Turn, TurnStatus } from "./conversation-types";

export type User = { telegramId: number; role: "owner" | "user"; name: string; createdAt: number };

export type Device = {
  id: string;
  name: string;
  ownerId: number;
  tokenHash: string;
  hostname: string;
  os: string;
  arch: string;
  osUser: string;
  agentVersion: string;
  createdAt: number;
  lastSeenAt: number | null;
};

/** When a schedule runs, in its time zone: once at a moment, or at a time on some weekdays (0 = Sunday). */
export type ScheduleWhen = { kind: "once"; at: number } | { kind: "every"; days: number[]; hour: number; minute: number };
export type Schedule = {
  id: string;
  chatId: number;
  deviceId: string;
  userId: number;
  prompt: string;
  /** JSON ScheduleWhen. */
  when: string;
  timeZone: string;
  cwd: string | null;
  missed: "run" | "skip";
  nextAt: number;
  lastRunAt: number | null;
  createdAt: number;
};

export type ApprovalStatus = "pending" | "allowed" | "denied" | "expired" | "cancelled";
export type Approval = {
  id: string;
  requestId: string;
  sessionId: string;
  turnId: string;
  deviceId: string;
  chatId: number;
  toolName: string;
  inputDigest: string;
  input: string;
  description: string | null;
  status: ApprovalStatus;
  awaitingReason: boolean;
  messageId: number | null;
  createdAt: number;
  decidedAt: number | null;
};

export type AuditRow = {
  id: number;
  at: number;
  userId: number | null;
  deviceId: string;
  sessionId: string;
  toolName: string;
  inputDigest: string;
  answer: string;
  latencyMs: number;
  approvalId: string;
};

export type InviteStatus = "open" | "claimed" | "accepted" | "refused";
export type Invite = {
  id: string;
  secretHash: string;
  invitedBy: number;
  status: InviteStatus;
  claimedBy: number | null;
  claimedName: string | null;
  messageId: number | null;
  createdAt: number;
  expiresAt: number;
};

export type AllowedGroup = { chatId: number; title: string; enabledBy: number; enabledAt: number };
export type StoredUpdate = { updateId: number; body: string; receivedAt: number; handledAt: number | null };

/** Insert shapes: columns with a default may be left out. */
type Insert<Row, Defaulted extends keyof Row> = Omit<Row, Defaulted> & Partial<Pick<Row, Defaulted>>;

/**
 * Writes are group-committed: those made in one turn of the event loop are durable together once
 * that turn is over. Whatever may leave the relay only once it is durable (an acknowledgement, a
 * prompt, a token) waits for the commit with `afterCommit`.
 */
export interface SyncStore {
  /** Several writes that stand or fall together. */
  transaction<T>(fn: () => T): T;
  /** Runs `committed` once everything written so far is durable (at once when nothing waits), or `failed` when that commit failed. */
  afterCommit(committed: () => void, failed?: (err: unknown) => void): void;
  /** Resolves once everything written so far is durable; rejects when that commit failed. */
  committed(): Promise<void>;

  user(telegramId: number): User | undefined;
  owners(): User[];
  addUser(u: Insert<User, "name">): void;
  countUsers(): number;
  allUsers(): User[];
  deleteUser(telegramId: number): void;

  invite(id: string): Invite | undefined;
  inviteBySecretHash(hash: string): Invite | undefined;
  addInvite(i: Insert<Invite, "claimedBy" | "claimedName" | "messageId">): void;
  setInviteMessage(id: string, messageId: number): void;
  /** Moves an invite on from `from`; false when someone else got there first (single use). */
  moveInvite(id: string, from: InviteStatus, set: Partial<Invite>): boolean;

  groupAllowed(chatId: number): boolean;
  allowGroup(g: Insert<AllowedGroup, "title">): void;
  disallowGroup(chatId: number): void;

  device(id: string): Device | undefined;
  deviceByTokenHash(hash: string): Device | undefined;
  devicesOf(ownerId: number): Device[];
  allDevices(): Device[];
  addDevice(d: Insert<Device, "hostname" | "os" | "arch" | "osUser" | "agentVersion" | "lastSeenAt">): void;
  deleteDevice(id: string): void;
  touchDevice(id: string, at: number, facts?: Partial<Pick<Device, "hostname" | "os" | "arch" | "osUser" | "agentVersion">>): void;

  selectedDevice(chatId: number): string | null;
  selectDevice(chatId: number, deviceId: string | null): void;

  session(id: string): Session | undefined;
  /** The chat's selected session with the device (or, when that one is closed, its newest open one). */
  openSession(chatId: number, deviceId: string): Session | undefined;
  openSessionsOfDevice(deviceId: string): Session[];
  addSession(s: Insert<Session, "claudeSessionId" | "cwd" | "mode" | "lastSeq" | "closedAt" | "number" | "costUsd">): void;
  /** Plain prompts of the chat go to this session of the device (an open one of theirs). */
  selectSession(chatId: number, deviceId: string, sessionId: string): void;
  /** The number the chat's next session with the device gets. */
  nextSessionNumber(chatId: number, deviceId: string): number;
  addSessionCost(id: string, usd: number): void;
  /** The chat's open sessions with the device, most recently active first. */
  sessionsOf(chatId: number, deviceId: string): SessionSummary[];
  closeSession(id: string, at: number): void;
  setClaudeSession(id: string, claudeSessionId: string): void;
  setSessionMode(id: string, mode: PermissionMode): void;
  /** Only raises it: two relays storing one session's events (a failover) never move it back. */
  setLastSeq(id: string, seq: number): void;

  turn(id: string): Turn | undefined;
  addTurn(t: Insert<Turn, "text" | "messageIds" | "tools" | "endedAt">): void;
  turnsOfSession(sessionId: string, statuses: TurnStatus[]): Turn[];
  /** Marks the session's oldest waiting turn running and returns it, unless one runs already (or none waits). */
  claimTurn(sessionId: string): Turn | undefined;
  setTurnStatus(id: string, status: TurnStatus, endedAt?: number): void;
  /** Adds a piece of the answer (a new row: what is stored is never rewritten). */
  appendTurnText(id: string, text: string): void;
  /** The session's last `limit` turns, oldest first. */
  lastTurns(sessionId: string, limit: number): Turn[];
  /** The whole answer so far. */
  turnText(id: string): string;
  setTurnTools(id: string, toolsJson: string): void;
  /** The files the turn changed (JSON array of paths), offered for download once it ended. */
  setTurnFiles(id: string, filesJson: string): void;

  schedule(id: string): Schedule | undefined;
  schedulesOfChat(chatId: number): Schedule[];
  /** Every schedule, soonest first. */
  allSchedules(): Schedule[];
  addSchedule(s: Schedule): void;
  setScheduleNext(id: string, nextAt: number, lastRunAt: number): void;
  setScheduleMissed(id: string, missed: Schedule["missed"]): void;
  deleteSchedule(id: string): void;
  setTurnMessages(id: string, messageIds: number[]): void;

  topicOf(chatId: number, deviceId: string): number | undefined;
  deviceOfTopic(chatId: number, threadId: number): string | undefined;
  setTopic(chatId: number, deviceId: string, threadId: number, at: number): void;
  forgetTopic(chatId: number, threadId: number): void;
  /** The open session whose own topic this is (/new in a chat with topics). */
  sessionOfTopic(chatId: number, threadId: number): Session | undefined;
  setSessionTopic(sessionId: string, threadId: number | null): void;

  approval(id: string): Approval | undefined;
  approvalByRequest(sessionId: string, requestId: string): Approval | undefined;
  addApproval(a: Insert<Approval, "description" | "awaitingReason" | "messageId" | "decidedAt">): void;
  pendingApprovals(): Approval[];
  /** Moves a pending approval to its final status; false when it was already decided (first decision wins). */
  decideApproval(id: string, status: Exclude<ApprovalStatus, "pending">, at: number): boolean;
  setApprovalMessage(id: string, messageId: number): void;
  setAwaitingReason(id: string, awaiting: boolean): void;
  awaitingReason(chatId: number): Approval | undefined;
  addAudit(row: Omit<AuditRow, "id">): void;
  lastAudit(limit: number, deviceIds?: string[]): AuditRow[];

  /** Stores an update once; false when it was already stored. */
  receiveUpdate(updateId: number, body: string, at: number): boolean;
  updateHandled(updateId: number): boolean;
  markUpdateHandled(updateId: number, at: number): void;
  unhandledUpdates(): StoredUpdate[];
  /** Forgets handled updates received before `before`. */
  pruneUpdates(before: number): void;
  /** Keeps only the newest `keep` handled updates. */
  trimUpdates(keep: number): void;
  countUpdates(): number;

  get(key: string): string | undefined;
  set(key: string, value: string): void;
  del(key: string): void;
}

/** Each method of T, answering with a promise. */
export type Answers<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never };

/**
 * What the core and the surfaces read and write through: the SyncStore's queries, each answering
 * with a promise, so a shared database (Postgres, several relays at once) can serve them. A write
 * is durable once `afterCommit` runs (or `committed` resolves). There are no multi-step
 * transactions: whatever must happen at most once is one conditional statement (`moveInvite`,
 * `decideApproval`, `receiveUpdate`, `claimTurn` answer whether they did it).
 */
export type Store = Answers<Omit<SyncStore, "transaction" | "afterCommit" | "committed">> & Pick<SyncStore, "afterCommit" | "committed">;
