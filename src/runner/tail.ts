/** Keeps the last N bytes of a byte stream (claude's stderr), for error reports. */
export interface Tail {
  push(chunk: Uint8Array): void;
  text(): string;
}

export function createTail(limit: number): Tail {
  let chunks: Uint8Array[] = [];
  let size = 0;
  return {
    push(chunk) {
      chunks.push(chunk);
      size += chunk.length;
      while (chunks.length > 1 && size - (chunks[0]?.length ?? 0) >= limit) size -= chunks.shift()?.length ?? 0;
    },
    text() {
      const all = Buffer.concat(chunks);
      chunks = [all];
      let start = Math.max(0, all.length - limit);
      // Do not start in the middle of a UTF-8 character.
      while (start < all.length && ((all[start] ?? 0) & 0xc0) === 0x80) start++;
      return all.subarray(start).toString("utf8");
    },
  };
}
