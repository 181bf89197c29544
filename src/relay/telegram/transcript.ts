import type { Session, Turn } from "../store/types";
import { folderOf } from "./session-label";

/** A whole conversation as Markdown: each prompt as a heading's quote, then its answer (not yet masked). */
export function transcriptMarkdown(deviceName: string, session: Session, turns: readonly Turn[], answerOf: (turnId: string) => string, roots?: readonly string[]): string {
  const out = [`# ${deviceName} #${session.number} · ${folderOf(session, roots)}`, ""];
  if (session.claudeSessionId) out.push(`Continue at the desk: \`claude --resume ${session.claudeSessionId}\``, "");
  turns.forEach((turn, i) => {
    out.push(`## ${i + 1}. ${new Date(turn.createdAt).toISOString().replace("T", " ").slice(0, 16)} UTC (${turn.status})`, "");
    out.push(...turn.prompt.split("\n").map((l) => `> ${l}`), "");
    out.push(answerOf(turn.id).trim() || "_(no answer)_", "");
  });
  return `${out.join("\n").trimEnd()}\n`;
}
