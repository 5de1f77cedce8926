import type { Chunk } from '../ports/vector-store.js';
import { cutText } from '../cut-text.js';

/**
 * The fields and query words of keyword ranking, shared by every vector store so that the
 * embedded index (LanceDB + in-memory BM25) and OpenSearch rank alike. A chunk is ranked on its
 * words (title, heading path, the document's lead and the content together), plus its title
 * weighted by TITLE_WEIGHT, plus its "place" weighted by PLACE_WEIGHT: the chunk's heading path
 * and the document's lead (see `pageLead`).
 */

/**
 * Weight of the title field against the words: 0.3, chosen on the docs QA train split before
 * the lead existed; on SciFact (a paper's title) a larger weight costs nDCG@10 (0.6: train
 * 0.7084 vs 0.7154).
 */
export const TITLE_WEIGHT = 0.3;

/**
 * Weight of the place field (heading path and lead) against the words. Tuned on the docs QA
 * train split (`pnpm eval:docs` in chatbot-gateway; 0.6, 0.8, 1, 1.2 tried: hit@5 the same,
 * MRR@5 best at 0.8). On SciFact it only touches the few multi-chunk abstracts.
 */
export const PLACE_WEIGHT = 0.8;

/** The longest lead kept: about one sentence or two, the summary of a page. */
export const LEAD_MAX_CHARS = 300;

/**
 * A document's lead: the first paragraph of its first chunk, cut to LEAD_MAX_CHARS at a word.
 * In a manual page it is the NAME line ("git-mv - Move or rename a file, a directory, or a
 * symlink"), in an article its opening paragraph: what the whole document is about, in words a
 * question uses more often than the body's. It is ranked with every chunk of the document
 * (BM25F-like), so a section of the page that is about the question outranks a passing mention
 * elsewhere. Derived from the stored chunks, so no store needs a column for it. Only a document
 * with sections (a chunk with a heading path) has a lead: the first paragraph of plain text cut
 * by size is no summary (on SciFact it cost nDCG@10), and a document of one chunk would only
 * count its first words twice. Code is no lead either.
 */
export function pageLead(
  chunks: readonly Pick<Chunk, 'content' | 'position' | 'heading'>[],
): string | undefined {
  if (chunks.length < 2 || !chunks.some((chunk) => chunk.heading)) return undefined;
  const first = chunks.reduce<(typeof chunks)[number] | undefined>(
    (best, chunk) => (best === undefined || chunk.position < best.position ? chunk : best),
    undefined,
  );
  const paragraph = first?.content.split(/\n[ \t]*\n/)[0]?.trim();
  if (!paragraph || paragraph.startsWith('```')) return undefined;
  if (paragraph.length <= LEAD_MAX_CHARS) return paragraph;
  const cut = cutText(paragraph, LEAD_MAX_CHARS);
  const space = cut.lastIndexOf(' ');
  return space > 0 ? cut.slice(0, space) : cut;
}

/**
 * Words that frame a question rather than say what it is about: interrogatives, auxiliaries and
 * personal pronouns. A query drops them only as the run of words that opens it ("How do I ...",
 * "What does ...", "Where can I ..."): elsewhere they may carry meaning ("insulin can reduce",
 * "type I diabetes", "US adults"). Documents keep them all. In a manual written in the first
 * person or as a FAQ, "how do I" otherwise matches every passage that says "I" and "do" often,
 * whatever it is about.
 */
export const QUESTION_WORDS: ReadonlySet<string> = new Set(
  (
    'how what which who whom whose why when where do does did can could should would is are ' +
    'i me my we us our you your'
  ).split(' '),
);

/**
 * Pronouns a query drops wherever they are ("... remember my password so you ..."): they name
 * the asker, never the subject. "I" and "us" are not among them ("type I", "US adults").
 */
export const QUESTION_PRONOUNS: ReadonlySet<string> = new Set(
  'me my mine myself we our ours you your yours'.split(' '),
);

/**
 * The query as keyword ranking matches it: without the QUESTION_WORDS that open it and without
 * QUESTION_PRONOUNS (whole words, any case). A query of nothing but such words ("What can I
 * do?") is kept as it is.
 */
export function contentQuery(text: string): string {
  let opening = true;
  const stripped = text
    .replace(/[\p{L}\p{N}]+/gu, (word) => {
      const lower = word.toLowerCase();
      if (QUESTION_PRONOUNS.has(lower)) return ' ';
      if (opening && QUESTION_WORDS.has(lower)) return ' ';
      opening = false;
      return word;
    })
    .replace(/\s+/g, ' ')
    .trim();
  return /[\p{L}\p{N}]/u.test(stripped) ? stripped : text;
}
