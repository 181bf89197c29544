/**
 * What a call is, most pressing first: a card the owner must answer, a new message, an edit of a
 * message, "typing…". Jobs run by priority, in arrival order within one.
 */
export type Priority = "card" | "message" | "edit" | "typing";
const RANK: Record<Priority, number> = { card: 0, message: 1, edit: 2, typing: 3 };

export type LaneEntry<J> = { job: J; priority: Priority };

/**
 * A lane's waiting jobs: one queue per priority, most pressing first, each in arrival order, and
 * each job at most once. Adding and taking the next cost the same however many wait (a chat
 * flooded with prompts queues thousands of status messages behind Telegram's pacing).
 */
export class LaneQueue<J> {
  private readonly queues: LaneEntry<J>[][] = [[], [], [], []];
  private readonly queued = new Map<J, LaneEntry<J>>();

  get length(): number {
    return this.queued.size;
  }

  first(): LaneEntry<J> | undefined {
    for (const queue of this.queues) if (queue.length > 0) return queue[0];
    return undefined;
  }

  shift(): LaneEntry<J> | undefined {
    for (const queue of this.queues) {
      const entry = queue.shift();
      if (entry) {
        this.queued.delete(entry.job);
        return entry;
      }
    }
    return undefined;
  }

  /** Behind every job of the same or a more pressing priority; a job already waiting stays where it is, or moves up when asked more urgently. */
  push(job: J, priority: Priority): void {
    if (!this.makeRoom(job, priority)) return;
    const entry = { job, priority };
    this.queues[RANK[priority]]!.push(entry);
    this.queued.set(job, entry);
  }

  /** First among its priority (a job that must run again after a 429 or a failure: messages keep their order). */
  requeue(entry: LaneEntry<J>): void {
    if (!this.makeRoom(entry.job, entry.priority, true)) return;
    this.queues[RANK[entry.priority]]!.unshift(entry);
    this.queued.set(entry.job, entry);
  }

  /** Whether the job goes in at this priority, taking it out of a less pressing place first. */
  private makeRoom(job: J, priority: Priority, orSame = false): boolean {
    const waiting = this.queued.get(job);
    if (!waiting) return true;
    const [now, asked] = [RANK[waiting.priority], RANK[priority]];
    if (asked > now || (asked === now && !orSame)) return false;
    const queue = this.queues[now]!;
    queue.splice(queue.indexOf(waiting), 1);
    this.queued.delete(job);
    return true;
  }
}
