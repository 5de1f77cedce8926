import type { CitedSource } from './turn.js';
import { cutText } from 'chatbot-mcp-server/core';

/** The distinct sources an answer cites as `[n]`, in order of first citation. */
export function citedSources(answer: string, shown: readonly CitedSource[]): string[] {
  const byNumber = new Map(shown.map((s) => [s.n, s.source]));
  const cited: string[] = [];
  for (const match of answer.matchAll(/\[(\d{1,2})\]/g)) {
    const source = byNumber.get(Number(match[1]));
    if (source !== undefined && !cited.includes(source)) cited.push(source);
  }
  return cited;
}

/**
 * A passage cut to a readable snippet at a word boundary. Line breaks are kept (blank lines and
 * trailing spaces dropped, other runs of spaces folded, a line's indentation kept) so a code
 * block in the passage stays readable on its source card; quoted in an answer it is flattened
 * with {@link flatSnippet}.
 */
export function snippet(text: string, max = 280): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => {
      const indent = /^[ \t]*/.exec(line)![0];
      return indent + line.slice(indent.length).replace(/\s+/g, ' ').trimEnd();
    })
    .filter((line) => line.trim() !== '');
  const kept = lines.join('\n');
  if (kept.length <= max) return kept;
  const cut = cutText(kept, max);
  const space = Math.max(cut.lastIndexOf(' '), cut.lastIndexOf('\n'));
  return `${cutText(cut, space > max * 0.6 ? space : max).trimEnd()}…`;
}

/** A snippet on one line (whitespace runs folded), for quoting it inside an answer. */
export const flatSnippet = (s: string): string => s.replace(/\s+/g, ' ').trim();
