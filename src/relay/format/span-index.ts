import type { Span } from "./rules";

const BUCKET = 256;

/** Spans bucketed by position, so overlap queries stay cheap on long answers. */
export class SpanIndex<T extends Span> {
  private readonly buckets = new Map<number, T[]>();
  readonly all: T[] = [];

  add(span: T): void {
    this.all.push(span);
    for (let b = Math.floor(span.start / BUCKET); b <= Math.floor((span.end - 1) / BUCKET); b++) {
      const list = this.buckets.get(b);
      if (list) list.push(span);
      else this.buckets.set(b, [span]);
    }
  }

  /** First span overlapping [start, end) that satisfies `test` (a span may be offered twice). */
  find(start: number, end: number, test: (span: T) => boolean): T | undefined {
    for (let b = Math.floor(start / BUCKET); b <= Math.floor((end - 1) / BUCKET); b++) {
      for (const span of this.buckets.get(b) ?? []) {
        if (span.start < end && start < span.end && test(span)) return span;
      }
    }
    return undefined;
  }
}
