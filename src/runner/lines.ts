/**
 * Bytes → lines for the claude child's stdout. UTF-8 is decoded in streaming mode, so a
 * character split across chunks survives, and a partial line is kept until its newline arrives.
 * There is no line-length limit: an `initialize` reply or a tool result can be megabytes.
 */

/** A push-style splitter: feed chunks, get back the complete lines they finished. */
export interface LineSplitter {
  push(chunk: Uint8Array): string[];
  /** The unterminated rest at end of stream (empty array if none). */
  end(): string[];
}

export function createLineSplitter(): LineSplitter {
  const decoder = new TextDecoder();
  let rest = "";
  const take = (text: string): string[] => {
    // Only the new text is searched, so a long line arriving in many chunks stays linear.
    if (!text.includes("\n")) {
      rest += text;
      return [];
    }
    const parts = text.split("\n");
    parts[0] = rest + parts[0];
    rest = parts.pop() ?? "";
    return parts.map(stripCr).filter((line) => line.length > 0);
  };
  return {
    push: (chunk) => take(decoder.decode(chunk, { stream: true })),
    end() {
      const last = stripCr(rest + decoder.decode());
      rest = "";
      return last.length > 0 ? [last] : [];
    },
  };
}

/** Yields the non-empty lines of a byte stream as they complete. */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const splitter = createLineSplitter();
  for await (const chunk of stream) yield* splitter.push(chunk);
  yield* splitter.end();
}

const stripCr = (line: string) => (line.endsWith("\r") ? line.slice(0, -1) : line);
