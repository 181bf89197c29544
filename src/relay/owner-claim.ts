import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../clock";
import type { Store } from "./store/types";
import { constantTimeEqual, sha256, shortId } from "./secrets";

export const SETUP_CODE_TTL_MS = 60 * 60_000;
const KEY = "setup_code";

/**
 * Who may claim a relay that has no owner yet: whoever sends the one-time setup code printed on
 * the relay's console (and written 0600 into the data dir). 128-bit, single use, 60 minutes.
 */
export class OwnerClaim {
  private attempts: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repo: Store,
    private readonly clock: Clock,
    private readonly dataDir: string,
  ) {}

  /** Mints a fresh code (invalidating any earlier one) and returns it with the file it is in. */
  async mint(): Promise<{ code: string; file: string; expiresAt: number }> {
    const code = shortId(16);
    const expiresAt = this.clock.now() + SETUP_CODE_TTL_MS;
    await this.repo.set(KEY, JSON.stringify({ hash: sha256(code), expiresAt }));
    const file = this.file();
    writeFileSync(file, `${code}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return { code, file, expiresAt };
  }

  /** The relay has an owner (e.g. --owner was added after a start without one): no code works any more. */
  async retire(): Promise<undefined> {
    await this.repo.del(KEY);
    rmSync(this.file(), { force: true });
    return undefined;
  }

  /** Consumes the code if it matches and is fresh; the caller then makes the sender an owner. */
  redeem(candidate: string): Promise<boolean> {
    // One attempt at a time: of two senders with the right code, one becomes the owner.
    const attempt = this.attempts.then(() => this.consume(candidate));
    this.attempts = attempt.catch(() => false);
    return attempt;
  }

  private async consume(candidate: string): Promise<boolean> {
    const stored = await this.repo.get(KEY);
    if (!stored || !candidate || (await this.repo.owners()).length > 0) return false;
    const { hash, expiresAt } = JSON.parse(stored) as { hash: string; expiresAt: number };
    if (expiresAt <= this.clock.now() || !constantTimeEqual(hash, sha256(candidate.trim()))) return false;
    await this.repo.del(KEY);
    rmSync(this.file(), { force: true });
    return true;
  }

  private file(): string {
    return join(this.dataDir, "setup-code");
  }
}
