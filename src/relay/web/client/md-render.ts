import { h } from "./dom";
import { highlight } from "./highlight";
import { parseMarkdown, type Block, type Inline } from "./markdown";

/** Claude's answer as DOM nodes (text nodes and known elements only: never HTML from the answer). */
export function renderMarkdown(source: string): Node[] {
  return parseMarkdown(source).map(block);
}

function block(b: Block): Node {
  switch (b.t) {
    case "p": return h("p", null, b.children.map(inline));
    case "h": return h(`h${Math.min(6, b.level + 2)}` as "h3", null, b.children.map(inline));
    case "code": return h("pre", { class: "code", "data-lang": b.lang || undefined }, h("code", null, highlight(b.text)));
    case "list": {
      const items = b.items.map((item) => h("li", null, item.map(inline)));
      return b.ordered ? h("ol", { start: b.start === 1 ? undefined : b.start }, items) : h("ul", null, items);
    }
    case "quote": return h("blockquote", null, b.children.map(block));
    case "hr": return h("hr");
  }
}

function inline(n: Inline): Node {
  switch (n.t) {
    case "text": return document.createTextNode(n.text);
    case "code": return h("code", null, n.text);
    case "strong": return h("strong", null, n.children.map(inline));
    case "em": return h("em", null, n.children.map(inline));
    case "del": return h("del", null, n.children.map(inline));
    case "link": return h("a", { href: n.href, target: "_blank", rel: "noopener noreferrer nofollow" }, n.children.map(inline));
  }
}
