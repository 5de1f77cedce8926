import type { CitedSource } from './turn.js';

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

/** A passage cut to a readable snippet at a word boundary. */
export function snippet(text: string, max = 280): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${cut.slice(0, space > max * 0.6 ? space : max)}…`;
}
