/**
 * A unit of document structure the chunker packs into chunks: a paragraph, list, table row,
 * code block. Blocks are never merged across a change of `headings`.
 */
export interface Block {
  text: string;
  /** Enclosing headings, outermost first. */
  headings: readonly string[];
  /** Code is kept whole when it fits, and split on lines rather than sentences when it does not. */
  kind: 'text' | 'code';
}

/** What a parser found: the blocks, and a title if the format declares one. */
export interface ParsedDocument {
  blocks: Block[];
  title?: string;
}

/** Collapses runs of spaces and tabs, trims lines, and drops blank lines at the ends. */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
