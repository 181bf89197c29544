import type { Session } from "../store/types";

/** The folder a session runs in, short: its own (/cd), else the machine's first root. */
export function folderOf(session: Pick<Session, "cwd">, roots?: readonly string[]): string {
  const path = session.cwd ?? roots?.[0];
  if (!path) return "default folder";
  if (path.length <= 28) return path;
  const last = path.replace(/\/+$/, "").split("/").at(-1) ?? path;
  return `…/${last.length > 26 ? `${last.slice(0, 25)}…` : last}`;
}

/** "#2 · 📁 …/project" ("#2 🌿 · 📁 …" in its own git worktree): a session's short label, shown in each of its turns' status lines. */
export function sessionLabel(session: Pick<Session, "cwd" | "number"> & { worktree?: boolean }, roots?: readonly string[]): string {
  return `#${session.number}${session.worktree ? " 🌿" : ""} · 📁 ${folderOf(session, roots)}`;
}

/** A conversation's own topic: "laptop · 📁 …/project · fix the login bug" (its number until the first prompt). */
export function topicTitle(deviceName: string, session: Pick<Session, "cwd" | "number">, roots?: readonly string[], firstPrompt?: string): string {
  return `${deviceName} · 📁 ${folderOf(session, roots)} · ${firstPrompt ? shortPrompt(firstPrompt, 60) : `#${session.number}`}`;
}

/** The first line of a prompt, cut to `max` characters. */
export function shortPrompt(text: string, max = 40): string {
  const line = text.trim().split("\n", 1)[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A path as shown in a message or button: its end, when it is longer than `max` characters. */
export function clipPath(path: string, max: number): string {
  return path.length <= max ? path : `…${path.slice(-(max - 1))}`;
}

/** "3 min ago". */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
