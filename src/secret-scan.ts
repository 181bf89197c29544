/**
 * Finds what looks like a credential in text, in time linear in its length: a hand-written scanner
 * instead of regexes with nested or unbounded quantifiers (those backtracked quadratically on runs
 * such as `TOKENTOKEN…` or `eyJ-eyJ-…`). Every detector starts only where its literal prefix is,
 * scans one run of characters, and never scans the same run twice.
 */

/** One stretch of text to replace: [start, end) in UTF-16 units. */
export type SecretRange = { start: number; end: number; replacement: string };

const mask = (secret: string) => `${secret.slice(0, 4)}…[masked]`;

const isWord = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isUpperOrDigit = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
/** [A-Za-z0-9_-]: base64url, most API keys. */
const isKey = (c: number) => isWord(c) || c === 45;
/** [A-Za-z0-9-]: Slack tokens. */
const isAlnumDash = (c: number) => isAlnum(c) || c === 45;
/** What JavaScript's \s matches. */
export const isSpace = (c: number) =>
  c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;

/** Where the run of `cls` characters starting at `from` ends. */
function runEnd(text: string, from: number, cls: (c: number) => boolean): number {
  let i = from;
  while (i < text.length && cls(text.charCodeAt(i))) i++;
  return i;
}

/** A regex-style \b at `pos`: a word character on exactly one side. */
function boundary(text: string, pos: number): boolean {
  const before = pos > 0 && isWord(text.charCodeAt(pos - 1));
  const after = pos < text.length && isWord(text.charCodeAt(pos));
  return before !== after;
}

/**
 * A token with a known prefix. `match` gets the position just after the prefix and returns where
 * the token ends (or -1) and where the run it scanned ends: starts before that end are skipped,
 * they would scan the same run to the same verdict.
 */
type Detector = { prefix: string; ci?: boolean; match(text: string, body: number): Verdict };
/**
 * `valueStart`: only the part from there is secret (a header's value, not its name).
 * `open`: the verdict read up to the end of the text, so more text could change it.
 */
type Verdict = { end: number; scanned: number; valueStart?: number; open?: boolean };

/** prefix + a run of `cls` of at least `min`; with `wordEnd`, the run must end at a \b (regex `\b` after it). */
const run = (prefix: string, cls: (c: number) => boolean, min: number, wordEnd = false): Detector => ({
  prefix,
  match(text, body) {
    const end = runEnd(text, body, cls);
    const ok = end - body >= min && (!wordEnd || boundary(text, end));
    return { end: ok ? end : -1, scanned: end, open: end === text.length };
  },
});

/** prefix + exactly `length` characters of `cls`, then a \b. */
const fixed = (prefix: string, cls: (c: number) => boolean, length: number): Detector => ({
  prefix,
  match(text, body) {
    const end = body + length;
    for (let i = body; i < Math.min(end, text.length); i++) if (!cls(text.charCodeAt(i))) return { end: -1, scanned: body };
    if (end > text.length) return { end: -1, scanned: body, open: true };
    return { end: boundary(text, end) ? end : -1, scanned: body, open: end === text.length };
  },
});

/** eyJ…  .  …  .  … (a JWT: three base64url parts of at least 10 characters). */
const jwt: Detector = {
  prefix: "eyJ",
  match(text, body) {
    const n = text.length;
    const one = runEnd(text, body, isKey);
    if (one - body < 10 || text.charCodeAt(one) !== 46) return { end: -1, scanned: one, open: one === n };
    const two = runEnd(text, one + 1, isKey);
    if (two - one - 1 < 10 || text.charCodeAt(two) !== 46) return { end: -1, scanned: one, open: two === n };
    const three = runEnd(text, two + 1, isKey);
    return { end: three - two - 1 >= 10 ? three : -1, scanned: one, open: three === n };
  },
};

/** 123456789:AA… (a Telegram bot token): 8 to 10 digits, a colon, 35 characters. */
const botToken: Detector = {
  prefix: "",
  match(text, start) {
    const n = text.length;
    const digits = runEnd(text, start, isDigit);
    if (digits - start > 10) return { end: -1, scanned: digits };
    if (digits - start < 8 || text.charCodeAt(digits) !== 58) return { end: -1, scanned: digits, open: digits === n };
    const end = digits + 1 + 35;
    for (let i = digits + 1; i < Math.min(end, n); i++) if (!isKey(text.charCodeAt(i))) return { end: -1, scanned: digits };
    if (end > n) return { end: -1, scanned: digits, open: true };
    return { end: boundary(text, end) ? end : -1, scanned: digits, open: end === n };
  },
};

const isSpaceOrTab = (c: number) => c === 32 || c === 9;
const isHeaderValueChar = (c: number) => !isSpace(c) && c !== 34 && c !== 39;

/** `Authorization: Bearer <value>` (also `token`, `Basic`, or no scheme). */
const authorization: Detector = {
  prefix: "authorization:",
  ci: true,
  match(text, body) {
    let i = runEnd(text, body, isSpaceOrTab);
    for (const scheme of ["bearer", "basic", "token"]) {
      if (startsWithAt(text, i, scheme, true) && (text.charCodeAt(i + scheme.length) === 32 || text.charCodeAt(i + scheme.length) === 9)) {
        i = runEnd(text, i + scheme.length, isSpaceOrTab);
        break;
      }
    }
    const end = runEnd(text, i, isHeaderValueChar);
    // Until its value starts, nothing of the header is secret: open only once the value is being written.
    return { end: end - i >= 8 ? end : -1, scanned: end, valueStart: i, open: end === text.length && end > i };
  },
};

/** Detectors by the first character of their prefix (lower case for case-insensitive ones). */
const DETECTORS: Detector[] = [
  run("sk-ant-", isKey, 20),
  run("sk-", isKey, 32),
  fixed("AKIA", isUpperOrDigit, 16),
  ...["p", "o", "u", "s", "r"].map((k) => run(`gh${k}_`, isAlnum, 36, true)),
  run("github_pat_", isWord, 22, true),
  ...["a", "b", "p", "r", "s"].map((k) => run(`xox${k}-`, isAlnumDash, 10)),
  run("xapp-", isAlnumDash, 10),
  fixed("AIza", isKey, 35),
  run("rk_live_", isAlnum, 24, true),
  run("sk_live_", isAlnum, 24, true),
  run("ra_dev_", isAlnum, 20),
  run("glpat-", isKey, 20),
  run("npm_", isAlnum, 36, true),
  run("pypi-AgEIcHlwaS5vcmc", isKey, 50),
  jwt,
  authorization,
];

function startsWithAt(text: string, at: number, prefix: string, ci = false): boolean {
  if (at + prefix.length > text.length) return false;
  for (let k = 0; k < prefix.length; k++) {
    let c = text.charCodeAt(at + k);
    if (ci && c >= 65 && c <= 90) c += 32;
    if (c !== prefix.charCodeAt(k)) return false;
  }
  return true;
}

const BY_FIRST = new Map<number, Detector[]>();
for (const d of DETECTORS) {
  const firsts = d.ci ? [d.prefix.charCodeAt(0), d.prefix.toUpperCase().charCodeAt(0)] : [d.prefix.charCodeAt(0)];
  for (const f of firsts) BY_FIRST.set(f, [...(BY_FIRST.get(f) ?? []), d]);
}
const DIGIT_DETECTORS = [botToken];

/** Where the earliest secret that more text could still reveal would start (text.length: none). */
type Undecided = { from: number };
const undecidedAt = (u: Undecided, pos: number) => void (u.from = Math.min(u.from, pos));

function tokenRanges(text: string, found: SecretRange[], undecided: Undecided): void {
  const skip = new Map<Detector, number>();
  for (let i = 0; i < text.length; i++) {
    // Every token starts at a \b: the character before it is not a word character.
    if (i > 0 && isWord(text.charCodeAt(i - 1))) continue;
    const c = text.charCodeAt(i);
    const candidates = isDigit(c) ? DIGIT_DETECTORS : BY_FIRST.get(c);
    if (!candidates) continue;
    for (const d of candidates) {
      if (i < (skip.get(d) ?? 0)) continue;
      if (!startsWithAt(text, i, d.prefix, d.ci)) {
        // The text ends inside the prefix ("sk-an"): the rest may still come.
        if (d !== authorization && text.length - i < d.prefix.length && startsWithAt(d.prefix, 0, d.ci ? text.slice(i).toLowerCase() : text.slice(i))) undecidedAt(undecided, i);
        continue;
      }
      const body = i + d.prefix.length;
      const m = d.match(text, body);
      skip.set(d, m.scanned);
      if (m.open) undecidedAt(undecided, m.valueStart ?? i);
      if (m.end < 0) continue;
      if (m.valueStart !== undefined) found.push({ start: m.valueStart, end: m.end, replacement: mask(text.slice(m.valueStart, m.end)) });
      else found.push({ start: i, end: m.end, replacement: mask(text.slice(i, m.end)) });
    }
  }
}

const isLabelChar = (c: number) => isUpperOrDigit(c) || c === 32;
export type KeyBlock = { start: number; end: number; label: string; open: boolean };

/**
 * `-----BEGIN … PRIVATE KEY-----` blocks (PEM, OpenSSH, PGP `PRIVATE KEY BLOCK`) up to their
 * matching END, or to the end of the text when the END has not come (yet). With `partial`, a
 * header still being written at the very end counts as an open block too.
 */
export function privateKeyBlocks(text: string, partial = false): KeyBlock[] {
  const blocks: KeyBlock[] = [];
  let from = 0;
  while (from < text.length) {
    const start = text.indexOf("-----BEGIN ", from);
    if (start < 0) break;
    const labelStart = start + 11;
    const labelEnd = runEnd(text, labelStart, isLabelChar);
    const label = text.slice(labelStart, labelEnd);
    if (partial && labelEnd === text.length) {
      blocks.push({ start, end: text.length, label, open: true });
      break;
    }
    const closed = startsWithAt(text, labelEnd, "-----");
    const isPrivate = label.endsWith("PRIVATE KEY") || label.endsWith("PRIVATE KEY BLOCK");
    if (partial && !closed && isPrivate && "-----".startsWith(text.slice(labelEnd))) {
      blocks.push({ start, end: text.length, label, open: true });
      break;
    }
    if (!closed || !isPrivate) {
      from = labelStart;
      continue;
    }
    const endMarker = `-----END ${label}-----`;
    const endAt = text.indexOf(endMarker, labelEnd + 5);
    if (endAt < 0) {
      blocks.push({ start, end: text.length, label, open: true });
      break;
    }
    blocks.push({ start, end: endAt + endMarker.length, label, open: false });
    from = endAt + endMarker.length;
  }
  return blocks;
}

const ASSIGNMENT_NAMES = ["SECRET", "TOKEN", "PASSWORD", "PASSWD", "APIKEY", "API_KEY", "PRIVATEKEY", "PRIVATE_KEY", "ACCESSKEY", "ACCESS_KEY", "CREDENTIAL"];
const isNameChar = (c: number) => isWord(c) || c === 46 || c === 45;
const isQuote = (c: number) => c === 34 || c === 39;
const isValueChar = (c: number) => !isSpace(c) && c !== 34 && c !== 39 && c !== 35;

const isLineBreak = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
const isBlank = (c: number) => isSpace(c) && !isLineBreak(c);
const notLineBreak = (c: number) => !isLineBreak(c);

/** Where the line after the one at `from` starts (text.length at the end). */
function nextLine(text: string, from: number): number {
  const end = runEnd(text, from, notLineBreak);
  return end + 1;
}

/** `NAME=value` lines (.env, shell, YAML) whose NAME says secret, token, password, key… */
function assignmentRanges(text: string, found: SecretRange[], undecided: Undecided): void {
  for (let line = 0; line < text.length; line = nextLine(text, line)) {
    let i = runEnd(text, line, isBlank);
    if (isLineBreak(text.charCodeAt(i))) continue; // a blank line: the next line's start sees the same text
    if (startsWithAt(text, i, "export", true) && isBlank(text.charCodeAt(i + 6))) i = runEnd(text, i + 6, isBlank);
    if (isQuote(text.charCodeAt(i))) i++;
    const nameEnd = runEnd(text, i, isNameChar);
    if (nameEnd === i) continue;
    const name = text.slice(i, nameEnd).toUpperCase();
    if (!ASSIGNMENT_NAMES.some((n) => name.includes(n))) continue;
    i = nameEnd;
    if (isQuote(text.charCodeAt(i))) i++;
    i = runEnd(text, i, isSpace);
    const op = text.charCodeAt(i);
    if (op !== 61 && op !== 58) continue;
    i = runEnd(text, i + 1, isSpace);
    const quote = isQuote(text.charCodeAt(i)) ? text.charCodeAt(i) : 0;
    if (quote) i++;
    const end = runEnd(text, i, isValueChar);
    if (end === text.length && end > i) undecidedAt(undecided, i);
    if (end - i < 4 || (quote && text.charCodeAt(end) !== quote)) continue;
    found.push({ start: i, end, replacement: mask(text.slice(i, end)) });
  }
}

const isSchemeChar = (c: number) => isAlnum(c) || c === 43 || c === 46 || c === 45;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isUserChar = (c: number) => !isSpace(c) && c !== 58 && c !== 47 && c !== 64;
const isPasswordChar = (c: number) => !isSpace(c) && c !== 64 && c !== 47;

/** scheme://user:password@host: the password. */
function urlPasswordRanges(text: string, found: SecretRange[], undecided: Undecided): void {
  for (let at = text.indexOf("://"); at >= 0; at = text.indexOf("://", at + 3)) {
    let schemeOk = false;
    for (let k = at - 1; k >= 0 && isSchemeChar(text.charCodeAt(k)); k--) {
      if (isLetter(text.charCodeAt(k)) && (k === 0 || !isWord(text.charCodeAt(k - 1)))) schemeOk = true;
    }
    if (!schemeOk) continue;
    const userEnd = runEnd(text, at + 3, isUserChar);
    if (userEnd === at + 3 || text.charCodeAt(userEnd) !== 58) continue;
    const pwEnd = runEnd(text, userEnd + 1, isPasswordChar);
    if (pwEnd === text.length) undecidedAt(undecided, userEnd + 1);
    if (pwEnd - userEnd - 1 < 3 || text.charCodeAt(pwEnd) !== 64) continue;
    found.push({ start: userEnd + 1, end: pwEnd, replacement: "…[masked]" });
  }
}

/** Where the secrets are in `text` and what each becomes; sorted, never overlapping. */
export function secretRanges(text: string): SecretRange[] {
  return scanSecrets(text).ranges;
}

/**
 * The secrets in `text`, and `undecidedFrom`: where the earliest one starts whose verdict depends
 * on text not written yet (a key still arriving, a password before its `@`, a header's value);
 * text.length when none does. A streamed answer can show everything before it.
 */
export function scanSecrets(text: string): { ranges: SecretRange[]; undecidedFrom: number } {
  const found: SecretRange[] = [];
  const undecided: Undecided = { from: text.length };
  for (const b of privateKeyBlocks(text)) found.push({ start: b.start, end: b.end, replacement: `-----BEGIN ${b.label}----- …[masked]` });
  tokenRanges(text, found, undecided);
  assignmentRanges(text, found, undecided);
  urlPasswordRanges(text, found, undecided);
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: SecretRange[] = [];
  for (const r of found) if (kept.length === 0 || r.start >= kept.at(-1)!.end) kept.push(r);
  // Text masked once (the answer, before it is rendered) stays as it is.
  return { ranges: kept.filter((r) => !text.slice(r.start, r.end).includes("[masked]")), undecidedFrom: undecided.from };
}

export function maskSecrets(text: string): { text: string; masked: number } {
  const ranges = secretRanges(text);
  if (ranges.length === 0) return { text, masked: 0 };
  let out = "";
  let at = 0;
  for (const r of ranges) {
    out += text.slice(at, r.start) + r.replacement;
    at = r.end;
  }
  return { text: out + text.slice(at), masked: ranges.length };
}
