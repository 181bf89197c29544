import { unseenPiece } from "../unseen-piece";

/**
 * How much of each turn's stored answer its message already shows. A view built from the store (a
 * restart mid-turn, or a surface running late) may already hold pieces whose events come after:
 * each piece says where it went in the stored answer (`offset`), so it is shown once.
 */
export class AnswerPieces {
  private shown = new Map<string, number>();

  /** The view starts out showing this many characters of the stored answer. */
  start(turnId: string, chars: number): void {
    this.shown.set(turnId, chars);
  }

  /** What of this piece is not shown yet ("" when all of it is); a piece that was not stored (no offset) always shows. */
  unseen(turnId: string, text: string, offset: number | undefined): string {
    if (offset === undefined) return text;
    const shown = this.shown.get(turnId) ?? 0;
    this.shown.set(turnId, Math.max(shown, offset + text.length));
    return unseenPiece(shown, text, offset);
  }

  forget(turnId: string): void {
    this.shown.delete(turnId);
  }
}
