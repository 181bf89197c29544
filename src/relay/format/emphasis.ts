/**
 * CommonMark's "process emphasis" over a linked list of delimiter runs (`*`, `_`, `~~`).
 * Matching only records which runs open and close which entity; the renderer turns runs into
 * positions afterwards, and unmatched delimiter characters stay as literal text.
 */
export type Delim = {
  char: "*" | "_" | "~";
  count: number;
  readonly orig: number;
  readonly canOpen: boolean;
  readonly canClose: boolean;
  prev: Delim | null;
  next: Delim | null;
  opens: Match[];
  closes: Match[];
};

export type Match = { type: "bold" | "italic" | "strikethrough"; start: number; end: number };

export function newDelim(char: Delim["char"], count: number, canOpen: boolean, canClose: boolean): Delim {
  return { char, count, orig: count, canOpen, canClose, prev: null, next: null, opens: [], closes: [] };
}

export function processEmphasis(first: Delim | null): void {
  const bottoms = new Map<string, Delim | null>();
  let closer = first;
  while (closer) {
    if (!closer.canClose) {
      closer = closer.next;
      continue;
    }
    const key = `${closer.char}${closer.canOpen ? 1 : 0}${closer.orig % 3}`;
    const bottom = bottoms.get(key) ?? null;
    let opener = closer.prev;
    while (opener && opener !== bottom && !pairs(opener, closer)) opener = opener.prev;
    if (opener && opener !== bottom) {
      const use = closer.char === "~" || (opener.count >= 2 && closer.count >= 2) ? 2 : 1;
      const type = closer.char === "~" ? "strikethrough" : use === 2 ? "bold" : "italic";
      const match: Match = { type, start: -1, end: -1 };
      opener.opens.push(match);
      closer.closes.push(match);
      opener.count -= use;
      closer.count -= use;
      // Runs between the pair can no longer match anything: they stay literal.
      opener.next = closer;
      closer.prev = opener;
      if (opener.count === 0) unlink(opener);
      if (closer.count === 0) {
        const next: Delim | null = closer.next;
        unlink(closer);
        closer = next;
      }
    } else {
      bottoms.set(key, closer.prev);
      const next: Delim | null = closer.next;
      if (!closer.canOpen) unlink(closer);
      closer = next;
    }
  }
}

function pairs(opener: Delim, closer: Delim): boolean {
  if (opener.char !== closer.char || !opener.canOpen) return false;
  if (closer.char === "~") return opener.count === 2 && closer.count === 2;
  // CommonMark's "rule of 3", which keeps `*a**b*` from pairing the wrong runs.
  const odd = (opener.canClose || closer.canOpen) && (opener.orig + closer.orig) % 3 === 0;
  return !odd || (opener.orig % 3 === 0 && closer.orig % 3 === 0);
}

function unlink(d: Delim): void {
  if (d.prev) d.prev.next = d.next;
  if (d.next) d.next.prev = d.prev;
}
