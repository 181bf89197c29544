import { h } from "./dom";

/**
 * A small, language-agnostic highlighter for code blocks: comments, strings, numbers and common
 * keywords get a class; everything stays text nodes.
 */
const TOKEN = /(\/\/[^\n]*|#(?![\w{[(])[^\n]*|\/\*[\s\S]*?\*\/)|("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|\b(\d[\d_.xXa-fA-F]*)\b|\b(const|let|var|function|return|if|else|for|while|do|switch|case|break|continue|class|extends|new|import|export|from|as|async|await|try|catch|finally|throw|def|fn|pub|struct|impl|enum|type|interface|package|func|go|defer|true|false|null|undefined|None|True|False|nil|self|this|in|of|not|and|or|echo|then|fi|done|esac)\b/g;

const KINDS = ["comment", "string", "number", "keyword"] as const;

export function highlight(code: string): Node[] {
  const nodes: Node[] = [];
  let at = 0;
  for (const m of code.matchAll(TOKEN)) {
    if (m.index > at) nodes.push(document.createTextNode(code.slice(at, m.index)));
    const kind = KINDS[[m[1], m[2], m[3], m[4]].findIndex((g) => g !== undefined)]!;
    nodes.push(h("span", { class: `tok-${kind}` }, m[0]));
    at = m.index + m[0].length;
  }
  if (at < code.length) nodes.push(document.createTextNode(code.slice(at)));
  return nodes;
}
