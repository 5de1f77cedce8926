import { cutTextEnd } from '../cut-text.js';

/**
 * Splits `text` into pieces of at most `max` characters, breaking between sentences where it
 * can, then between words, and only as a last resort inside a word. Code breaks between lines
 * first, since a sentence boundary means nothing there.
 */
export function splitToFit(text: string, max: number, kind: 'text' | 'code' = 'text'): string[] {
  if (max < 1) throw new RangeError('max must be at least 1');
  if (text.length <= max) return [text];
  const units = kind === 'code' ? text.split('\n') : sentences(text);
  const separator = kind === 'code' ? '\n' : ' ';
  return pack(
    units.flatMap((unit) => (unit.length <= max ? [unit] : splitWords(unit, max))),
    max,
    separator,
  );
}

/** Sentence-ish units: after `.`, `!`, `?` (and CJK stops) followed by space, and at line breaks. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?;。！？])\s+|\n+/u)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The end of `text`, at most `max` characters long, starting at a sentence boundary when one
 * falls in that window and otherwise at a word boundary: the overlap carried into the next chunk.
 */
export function tail(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max) return text;
  const window = cutTextEnd(text, max);
  const sentenceStart = window.search(/(?<=[.!?。！？]\s+|\n)\S/u);
  if (sentenceStart >= 0) return window.slice(sentenceStart).trim();
  const wordStart = window.search(/(?<=\s)\S/);
  return (wordStart >= 0 ? window.slice(wordStart) : window).trim();
}

function splitWords(text: string, max: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const parts = words.flatMap((word) => (word.length <= max ? [word] : hardSplit(word, max)));
  return pack(parts, max, ' ');
}

function hardSplit(word: string, max: number): string[] {
  const chars = Array.from(word); // never cut a surrogate pair in half
  const parts: string[] = [];
  let current = '';
  for (const ch of chars) {
    if (current.length + ch.length > max) {
      parts.push(current);
      current = '';
    }
    current += ch;
  }
  if (current) parts.push(current);
  return parts;
}

/** Greedily joins units (each at most `max` long) into pieces of at most `max` characters. */
export function pack(units: readonly string[], max: number, separator: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const unit of units) {
    if (!current) current = unit;
    else if (current.length + separator.length + unit.length <= max) current += separator + unit;
    else {
      pieces.push(current);
      current = unit;
    }
  }
  if (current) pieces.push(current);
  return pieces;
}
