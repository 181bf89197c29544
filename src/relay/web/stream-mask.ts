import { unseenPiece } from "../unseen-piece";
import { privateKeyBlocks } from "../../secret-scan";
import { maskSecrets } from "../mask-secrets";
import { safePrefix } from "../safe-prefix";

/** A line longer than this is cut at a word instead (bounds the rescan of a huge one-line answer). */
const MAX_WINDOW = 16 * 1024;

type TurnState = {
  /** The raw answer so far (kept here: the store is not read per token). */
  raw: string;
  /** Start (in `raw`) of the line being scanned again with each piece. */
  anchor: number;
  /** Everything sent to browsers so far, masked. */
  sent: string;
  /** How much of `sent` belongs to the current line (after `anchor`). */
  sentInLine: number;
  /** The unfinished last word as it may be shown now (replaced with every piece, never part of `sent`). */
  tail: string;
};

/** What to send for a piece: text to append for good, and the provisional end that replaces the last one. */
export type Piece = { text: string; tail: string };

/**
 * Answers stream to browsers token by token with secrets masked, as in Telegram, and what was
 * sent is never taken back. Only whole words are passed on (a secret is recognised only once its
 * word is complete: `htt` is nothing yet, `https://bob:pw@host` is one), and anything safePrefix
 * calls undecided (a private key block until its END line) is held. Each piece rescans the current
 * line only: no pattern spans whitespace except key blocks, which start a line. State is per turn,
 * shared by every browser.
 */
export class StreamMasks {
  private turns = new Map<string, TurnState>();

  constructor(private readonly storedText: (turnId: string) => Promise<string>) {}

  /** What browsers of a running turn have been sent so far (for a snapshot). */
  async shown(turnId: string, upTo?: number): Promise<Piece> {
    const state = this.turns.get(turnId) ?? (await this.state(turnId, upTo));
    return { text: state.sent, tail: state.tail };
  }

  /**
   * A new piece of answer (already stored, at `offset` of the stored answer when that is known):
   * what to send now; undefined when nothing changed.
   */
  async piece(turnId: string, text: string, offset?: number): Promise<Piece | undefined> {
    const known = this.turns.get(turnId);
    // First piece since this relay started tracking the turn: the store already holds it (and maybe later ones).
    if (!known) return this.shown(turnId, offset === undefined ? undefined : offset + text.length);
    // Part of it may already be in what was read from the store: only what is new of it counts.
    text = unseenPiece(known.raw.length, text, offset);
    if (!text) return undefined;
    known.raw += text;
    const tailBefore = known.tail;
    const added = advance(known, false);
    return added || known.tail !== tailBefore ? { text: added, tail: known.tail } : undefined;
  }

  /** The turn ended: the rest, masked (the turn's final event carries the whole masked answer too). */
  end(turnId: string): string {
    const known = this.turns.get(turnId);
    this.turns.delete(turnId);
    return known ? advance(known, true) : "";
  }

  /** Masked whole answer of a finished turn. */
  static whole(text: string): string {
    return maskSecrets(text).text;
  }

  private async state(turnId: string, upTo?: number): Promise<TurnState> {
    const stored = await this.storedText(turnId);
    const raw = upTo === undefined ? stored : stored.slice(0, upTo);
    // Another caller may have started tracking the turn while the store answered.
    let state = this.turns.get(turnId);
    if (!state) {
      state = { raw, anchor: 0, sent: "", sentInLine: 0, tail: "" };
      advance(state, false);
      this.turns.set(turnId, state);
    }
    return state;
  }
}

/** Sends what the current line now decides; moves the line on at each completed newline. */
function advance(s: TurnState, final: boolean): string {
  let window = s.raw.slice(s.anchor);
  if (window.length > MAX_WINDOW) {
    const cut = lastSpace(window.slice(0, s.raw.length - s.anchor - 1024));
    if (cut > 0) moveAnchor(s, window.slice(0, cut));
    window = s.raw.slice(s.anchor);
  }
  const decided = final ? window : safePrefix(window).shown;
  const shown = final ? decided : decided.slice(0, wholeWords(decided));
  const masked = maskSecrets(shown).text;
  // The last word so far, where safePrefix finds nothing undecided in it: shown, but provisionally.
  const maskedDecided = final || decided === shown ? masked : maskSecrets(decided).text;
  s.tail = maskedDecided.startsWith(masked) ? maskedDecided.slice(masked.length) : "";
  const already = s.sent.slice(s.sent.length - s.sentInLine);
  if (masked.length <= already.length || !masked.startsWith(already)) return "";
  const out = masked.slice(already.length);
  s.sent += out;
  s.sentInLine = masked.length;
  // The next line starts after the last newline, never inside a key block (masked as one piece).
  const newline = shown.lastIndexOf("\n");
  const blocksEnd = Math.max(0, ...privateKeyBlocks(shown).map((b) => b.end));
  if (newline >= blocksEnd) moveAnchor(s, shown.slice(0, newline + 1));
  return out;
}

/** Starts the next scans after `head` (raw, from the anchor) when its masking is already what was sent. */
function moveAnchor(s: TurnState, head: string): void {
  const masked = maskSecrets(head).text;
  const inLine = s.sent.slice(s.sent.length - s.sentInLine);
  if (!inLine.startsWith(masked)) return;
  s.anchor += head.length;
  s.sentInLine -= masked.length;
}

/** Where the complete words of `text` end: after its last whitespace, or after a key block ending later. */
function wholeWords(text: string): number {
  const cut = lastSpace(text);
  const straddling = privateKeyBlocks(text).find((b) => !b.open && b.start < cut && b.end > cut);
  return straddling ? straddling.end : cut;
}

/** Index just after the last whitespace character (0 when there is none). */
function lastSpace(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) if (/\s/.test(text[i]!)) return i + 1;
  return 0;
}
