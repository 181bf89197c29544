import type { EntityShape, FormattedText, MessageEntity } from "./types";

/** Append-only text + entities accumulator used by the Markdown renderer. */
export class Out {
  text = "";
  readonly entities: MessageEntity[] = [];

  get length(): number {
    return this.text.length;
  }

  addText(text: string): void {
    this.text += text;
  }

  add(ft: FormattedText): void {
    const shift = this.text.length;
    for (const e of ft.entities) this.entities.push({ ...e, offset: e.offset + shift });
    this.text += ft.text;
  }

  /** Adds an entity from `start` to the current end; empty ranges are skipped. */
  mark(start: number, entity: EntityShape): void {
    const length = this.text.length - start;
    if (length > 0) this.entities.push({ ...entity, offset: start, length } as MessageEntity);
  }

  result(): FormattedText {
    return { text: this.text, entities: this.entities };
  }
}
