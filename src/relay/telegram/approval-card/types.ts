import type { FormattedText } from "../../format";

export type ApprovalCardRequest = {
  deviceName: string;
  sessionLabel: string;
  toolName: string;
  input: Record<string, unknown>;
  /** Claude's own one-line description of the call. */
  description?: string;
};

export type CardDocument = { filename: string; content: string };

export type ApprovalCard = {
  kind: "permission" | "question" | "plan";
  /** At most CARD_LIMIT UTF-16 units, valid entities. */
  text: FormattedText;
  /** The full input (or the part of it the preview cut), sent as a file after the card. */
  document?: CardDocument;
  /** For kind "question": the options of the first question, in order, as button labels (≤ 40 characters). */
  options?: string[];
};

/** Card text budget: leaves room under Telegram's 4096 for the decision line appended later. */
export const CARD_LIMIT = 3500;

/** What a tool renderer contributes below the "<tool> wants to:" line. */
export type Body = { lines: FormattedText[]; document?: CardDocument; usedDescription?: boolean };

/** `budget`: UTF-16 units available for the body's lines, newlines between them included. */
export type BodyContext = { budget: number; description: string };
