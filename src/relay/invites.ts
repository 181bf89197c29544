import type { Clock } from "../clock";
import type { Invite, Store } from "./store/types";
import { sha256, shortId } from "./secrets";

export const INVITE_TTL_MS = 24 * 60 * 60_000;
/** Deep-link payload prefix: the invitee opens https://t.me/<bot>?start=inv_<secret>. */
export const INVITE_PREFIX = "inv_";

/**
 * Owners let a second person in with /invite: a one-time 128-bit secret (only its hash is stored),
 * valid 24 hours. Redeeming it only *claims* the invite; the person becomes a user when an owner
 * confirms. Every transition is conditional in the database, so each happens once.
 */
export class Invites {
  constructor(
    private readonly repo: Store,
    private readonly clock: Clock,
  ) {}

  async create(ownerId: number): Promise<{ id: string; secret: string; expiresAt: number }> {
    const id = shortId();
    const secret = shortId(16);
    const now = this.clock.now();
    const expiresAt = now + INVITE_TTL_MS;
    await this.repo.addInvite({ id, secretHash: sha256(secret), invitedBy: ownerId, status: "open", createdAt: now, expiresAt });
    return { id, secret, expiresAt };
  }

  /** Remembers the owner's message with the link, to take the link out once it is used. */
  async shownIn(id: string, messageId: number): Promise<void> {
    await this.repo.setInviteMessage(id, messageId);
  }

  /** A stranger's /start inv_<secret>; null when the secret is unknown, used or expired. */
  async claim(secret: string, person: { id: number; name: string }): Promise<Invite | null> {
    const invite = await this.repo.inviteBySecretHash(sha256(secret));
    if (!invite || invite.status !== "open" || invite.expiresAt <= this.clock.now()) return null;
    if (!(await this.repo.moveInvite(invite.id, "open", { status: "claimed", claimedBy: person.id, claimedName: person.name }))) return null;
    return (await this.repo.invite(invite.id))!;
  }

  /** An owner's [Let in]: the claimant becomes a user. Null when already decided. */
  async accept(id: string): Promise<Invite | null> {
    const invite = await this.repo.invite(id);
    if (!invite || invite.claimedBy == null || !(await this.repo.moveInvite(id, "claimed", { status: "accepted" }))) return null;
    // Only the one who moved it on gets here: the user is added once.
    await this.repo.addUser({ telegramId: invite.claimedBy, role: "user", name: invite.claimedName ?? "", createdAt: this.clock.now() });
    return invite;
  }

  /** An owner's [Refuse]. Null when already decided. */
  async refuse(id: string): Promise<Invite | null> {
    const invite = await this.repo.invite(id);
    if (!invite || !(await this.repo.moveInvite(id, "claimed", { status: "refused" }))) return null;
    return invite;
  }
}
