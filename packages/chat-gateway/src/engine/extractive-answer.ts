import { STOP_WORDS, tokenize, wordTerms } from 'chatbot-mcp-server/documents';
import { cutText } from 'chatbot-mcp-server/core';

/** A passage as the offline answer reads it: numbered as its `source` frame. */
export interface AnswerPassage {
  n: number;
  content: string;
  /** Title and heading path of the passage, when known. */
  place?: string;
  /** What the passage's document is about (its lead, e.g. a manual page's NAME line). */
  lead?: string;
}

/** One piece of an answer: a sentence, or a whole table or code block, with its citation. */
export interface Extract {
  n: number;
  text: string;
  kind: 'sentence' | 'block';
  score: number;
}

/** The question's content words as index terms (stemmed, question words and stop words out). */
export function questionTerms(question: string): string[] {
  return [...new Set(wordTerms(tokenize(question), STOP_WORDS))];
}

/**
 * Share of the question's terms found in the passage (its text, title and heading path), the
 * rarer terms among the passages weighing more. The not-found decision rests on it: a passage
 * can score well in search on one common word while saying nothing about the rest.
 */
export function coverage(terms: readonly string[], passages: readonly AnswerPassage[]): number {
  if (terms.length === 0 || passages.length === 0) return 0;
  const idf = termWeights(
    terms,
    passages.map((p) => new Set(wordTerms(tokenize(passageText(p))))),
  );
  let best = 0;
  for (const p of passages) {
    const present = new Set(wordTerms(tokenize(passageText(p))));
    best = Math.max(best, weightedShare(terms, present, idf));
  }
  return best;
}

/** What a passage says, with where it is (title, heading path) and its document's lead. */
function passageText(p: AnswerPassage): string {
  return `${p.place ?? ''} ${p.lead ?? ''} ${p.content}`;
}

/**
 * The sentences (and whole tables or code blocks) of the passages that best answer the
 * question: scored by the question terms they hold (IDF-weighted over the units, so a rare term
 * counts more), terms of the passage's heading path counting half, earlier passages and earlier
 * sentences slightly preferred. At most `max` extracts and about `maxChars` characters, best
 * first; those far below the best, and those repeating one already chosen, are left out.
 */
export function extractAnswer(
  question: string,
  passages: readonly AnswerPassage[],
  { max = 5, maxChars = 900 }: { max?: number; maxChars?: number } = {},
): Extract[] {
  const terms = questionTerms(question);
  if (terms.length === 0) return [];
  const units = passages.flatMap((p, rank) =>
    passageUnits(p, passages.slice(0, rank)).map((u, position) => ({
      ...u,
      n: p.n,
      rank,
      position,
      terms: new Set(wordTerms(tokenize(u.text))),
      placeTerms: new Set(wordTerms(tokenize(p.place ?? ''))),
    })),
  );
  const idf = termWeights(
    terms,
    units.map((u) => u.terms),
  );
  const total = terms.reduce((sum, t) => sum + (idf.get(t) ?? 0), 0);
  const scored = units.map((u) => {
    let s = 0;
    for (const t of terms) {
      const w = idf.get(t) ?? 0;
      if (u.terms.has(t)) s += w;
      else if (u.placeTerms.has(t)) s += w / 2;
    }
    const share = total > 0 ? s / total : 0;
    const score = share * (1 / (1 + 0.15 * u.rank)) * (1 / (1 + 0.02 * u.position));
    return { n: u.n, text: u.text, kind: u.kind, score };
  });
  const ranked = scored.filter((u) => u.score > 0).sort((a, b) => b.score - a.score);
  const best = ranked[0]?.score ?? 0;
  const chosen: Extract[] = [];
  let chars = 0;
  for (const u of ranked) {
    if (chosen.length >= max || u.score < best * 0.5) break;
    if (chosen.length > 0 && chars + u.text.length > maxChars) continue;
    // Passages repeat one another: the overlap between chunks, a lead given by two sections.
    if (chosen.some((c) => c.text.includes(u.text) || u.text.includes(c.text))) continue;
    chosen.push(u);
    chars += u.text.length;
  }
  return chosen;
}

/**
 * A passage's units, its document's lead first when no earlier passage of the same document
 * has given it: a definition ("git-stash - Stash the changes in a dirty working directory
 * away") often answers a how-to question in the manual's own words, and the passage that ranks
 * may be a section further down the page.
 */
function passageUnits(p: AnswerPassage, earlier: readonly AnswerPassage[]): Unit[] {
  const units = splitUnits(p.content);
  const lead = p.lead?.replace(/\s+/g, ' ').trim();
  if (!lead || earlier.some((e) => e.lead === p.lead) || units.some((u) => u.text === lead))
    return units;
  return [{ text: lead, kind: 'sentence' }, ...units];
}

interface Unit {
  text: string;
  kind: 'sentence' | 'block';
}

const MAX_SENTENCE = 600;

/**
 * A passage cut into answerable units: fenced code blocks and Markdown tables whole (they lose
 * their meaning cut up), other paragraphs into sentences. An option's name set on a line of its
 * own ("--amend") opens the first sentence of the paragraph below it ("--amend: Replace the tip
 * of the current branch ..."), so a sentence chosen for its description names the option too.
 */
export function splitUnits(content: string): Unit[] {
  const units: Unit[] = [];
  const lines = content.split('\n');
  let prose: string[] = [];
  // Option names ("-a", "--all") waiting for the paragraph that describes them.
  let terms: string[] = [];
  const flush = () => {
    const text = prose.join(' ').replace(/\s+/g, ' ').trim();
    prose = [];
    if (!text) return;
    if (isOptionTerm(text)) {
      terms.push(text);
      return;
    }
    const sentences = text
      .split(/(?<=[.!?])\s+(?=[A-Z0-9`"'(<-])/)
      .map((s) => s.trim())
      .filter((s) => s.length > 1);
    if (terms.length > 0 && sentences.length > 0)
      sentences[0] = `${terms.join(', ')}: ${sentences[0]!}`;
    terms = [];
    for (const sentence of sentences)
      units.push({ text: cutText(sentence, MAX_SENTENCE), kind: 'sentence' });
  };
  const endTerms = () => {
    for (const t of terms) units.push({ text: t, kind: 'sentence' });
    terms = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(```|~~~)/.test(line)) {
      flush();
      endTerms();
      const fence = line.trim().slice(0, 3);
      const block = [line];
      for (i++; i < lines.length; i++) {
        block.push(lines[i]!);
        if (lines[i]!.trim().startsWith(fence)) break;
      }
      units.push({ text: block.join('\n'), kind: 'block' });
    } else if (/^\s*\|.*\|\s*$/.test(line)) {
      flush();
      endTerms();
      const block = [line];
      while (i + 1 < lines.length && /^\s*\|.*\|\s*$/.test(lines[i + 1]!)) block.push(lines[++i]!);
      units.push({ text: block.join('\n'), kind: 'block' });
    } else if (line.trim() === '') {
      flush();
    } else if (/^#{1,6}\s/.test(line)) {
      flush();
      endTerms();
    } else {
      prose.push(line);
    }
  }
  flush();
  endTerms();
  return units;
}

/**
 * A paragraph that only names what the text below it describes, as a manual's lists set each
 * name on a line of its own: an option ("--amend", "-d, --delete",
 * "--force-with-lease[=<ref>]"), a configuration variable ("core.editor"), a command form
 * ("git diff [<options>] --cached [<commit>]", "push [-p|--patch] [<pathspec>...]"). The name
 * is what a question about it is answered with, so it goes with the first sentence of its
 * description (see splitUnits).
 */
export function isOptionTerm(paragraph: string): boolean {
  if (paragraph.length > 200 || /[.!?:;,]$/.test(paragraph) || /\s-\s/.test(paragraph))
    return false;
  return (
    /^--?[A-Za-z0-9]/.test(paragraph) ||
    /^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9<>*-]+)+$/.test(paragraph) ||
    /^[a-z][\w-]*( [a-z][\w-]*)* [[<-]/.test(paragraph)
  );
}

function termWeights(
  terms: readonly string[],
  docs: readonly ReadonlySet<string>[],
): Map<string, number> {
  const weights = new Map<string, number>();
  for (const t of terms) {
    const df = docs.reduce((n, d) => n + (d.has(t) ? 1 : 0), 0);
    weights.set(t, Math.log(1 + (docs.length + 1) / (df + 0.5)));
  }
  return weights;
}

function weightedShare(
  terms: readonly string[],
  present: ReadonlySet<string>,
  idf: ReadonlyMap<string, number>,
): number {
  let hit = 0;
  let all = 0;
  for (const t of terms) {
    const w = idf.get(t) ?? 0;
    all += w;
    if (present.has(t)) hit += w;
  }
  return all > 0 ? hit / all : 0;
}
