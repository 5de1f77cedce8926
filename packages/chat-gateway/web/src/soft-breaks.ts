/**
 * Soft line breaks: Markdown and text wrapped at a fixed width (a manual, a runbook) break lines
 * inside sentences. Shown as they are, a paragraph reads as ragged short lines; Markdown itself
 * treats such a break as a space. `joinSoftBreaks` turns each one into a space and keeps every
 * other character where it was, so offsets into the text (a highlighted passage) stay valid.
 * Breaks kept: around blank lines, inside fenced code, before a line that opens a block (list
 * item, heading, quote, table row, fence, indented code) and after a heading, a table row or an indented code line.
 */

const FENCE = /^\s*(`{3,}|~{3,})/;
/** A line that starts a block of its own, so the break before it is a real one. */
const BLOCK_START = /^\s*([-*+]\s|\d+[.)]\s|#|>|\||`{3,}|~{3,})|^( {4}|\t)/;
/** A line after which a break is a real one (a heading, a table row, indented code). */
const BLOCK_LINE = /^\s*(#|\|)|^( {4}|\t)/;

export function joinSoftBreaks(text: string): string {
  const lines = text.split('\n');
  let inFence = false;
  let out = '';
  lines.forEach((line, i) => {
    if (FENCE.test(line)) inFence = !inFence;
    out += line;
    if (i === lines.length - 1) return;
    const next = lines[i + 1]!;
    const soft =
      !inFence &&
      !FENCE.test(line) &&
      line.trim() !== '' &&
      next.trim() !== '' &&
      !BLOCK_LINE.test(line) &&
      !BLOCK_START.test(next) &&
      // Markdown's hard break: two spaces at the end of the line.
      !line.endsWith('  ');
    out += soft ? ' ' : '\n';
  });
  return out;
}
