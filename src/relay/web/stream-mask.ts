import { maskSecrets } from "../mask-secrets";
import { safePrefix } from "../safe-prefix";

/**
 * Answers stream to browsers token by token with secrets masked, as in Telegram. What could still
 * turn into a secret (a word that has not ended) is held until more text decides it or the turn
 * ends. Only the undecided tail is scanned again per piece: no pattern spans whitespace (key
 * blocks are held whole), so each piece cut at a word boundary is masked exactly as in the final
 * answer. State is per turn, shared by every browser.
 */
export class StreamMasks {
  /** Per running turn: raw characters already passed on, and the undecided tail after them. */
  private turns = new Map<string, { passed: number; held: string }>();

  constructor(private readonly storedText: (turnId: string) => string) {}

  /** The masked text of a running turn that browsers have been sent so far (for a snapshot). */
  shown(turnId: string): string {
    const state = this.state(turnId);
    return maskSecrets(this.storedText(turnId).slice(0, state.passed)).text;
  }

  /** A new piece of answer (already stored): the masked text to send now, maybe "". */
  piece(turnId: string, text: string): string {
    const known = this.turns.get(turnId);
    // First piece since this relay started tracking the turn: the store already holds it.
    if (!known) return this.shown(turnId);
    const { shown, held } = safePrefix(known.held + text);
    known.passed += shown.length;
    known.held = held;
    return shown ? maskSecrets(shown).text : "";
  }

  /** The turn ended: whatever was held, masked. */
  end(turnId: string): string {
    const known = this.turns.get(turnId);
    this.turns.delete(turnId);
    return known?.held ? maskSecrets(known.held).text : "";
  }

  /** Masked whole answer of a finished turn. */
  static whole(text: string): string {
    return maskSecrets(text).text;
  }

  private state(turnId: string): { passed: number; held: string } {
    let state = this.turns.get(turnId);
    if (!state) {
      const { shown, held } = safePrefix(this.storedText(turnId));
      state = { passed: shown.length, held };
      this.turns.set(turnId, state);
    }
    return state;
  }
}
