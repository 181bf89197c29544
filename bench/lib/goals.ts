// Goals, checked the same way in every bench: the figure's own line says its goal; a missed one
// is named again at the end ("<bench>: GOAL MISSED: …") and the bench exits 1, so `npm run bench`
// (bench/run-all.ts) lists it among the misses instead of printing a ✗ nobody acts on.

export class Goals {
  private readonly missed: string[] = [];

  constructor(private readonly bench: string) {}

  /** Records one goal's verdict; `what` says what was missed, with the figure and the goal. Returns ✓ or ✗ for the figure's line. */
  check(met: boolean, what: string): "✓" | "✗" {
    if (!met) this.missed.push(what);
    return met ? "✓" : "✗";
  }

  /** Names every missed goal and sets the exit code: once, after the last figure. */
  report(): void {
    for (const what of this.missed) console.log(`${this.bench}: GOAL MISSED: ${what}`);
    if (this.missed.length > 0) process.exitCode = 1;
  }
}
