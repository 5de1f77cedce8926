/**
 * The document viewer: a panel over the log with a document's indexed text, the cited passage
 * highlighted and scrolled to. The text is shown as plain text (never parsed as markup), so the
 * highlight sits exactly where the snippet was found; in Markdown and HTML text the soft line
 * breaks of wrapped paragraphs are shown as spaces (same length: the offsets hold).
 */
import type { DocumentFrame } from '../../src/protocol/frames.js';
import { findPassage } from '../../src/protocol/find-passage.js';
import { showBidiControls } from './bidi.js';
import { h } from './dom.js';
import { joinSoftBreaks } from './soft-breaks.js';

/** Documents whose single line breaks are soft (Markdown, and HTML's extracted text); plain text keeps its lines. */
const REFLOWED = /^text\/(markdown|html)\b/;

export interface CitedPassage {
  source: string;
  title?: string;
  snippet: string;
}

export class DocumentViewer {
  private wanted: CitedPassage | null = null;
  private returnFocus: HTMLElement | null = null;
  private readonly heading: HTMLElement;
  private readonly status: HTMLElement;
  private readonly body: HTMLElement;

  constructor(
    private readonly panel: HTMLElement,
    private readonly request: (frame: {
      type: 'document';
      source: string;
      snippet?: string;
    }) => void,
  ) {
    this.heading = panel.querySelector<HTMLElement>('[data-part=title]')!;
    this.status = panel.querySelector<HTMLElement>('[data-part=status]')!;
    this.body = panel.querySelector<HTMLElement>('[data-part=text]')!;
    panel
      .querySelector<HTMLButtonElement>('[data-part=close]')!
      .addEventListener('click', () => this.close());
    panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.close();
    });
  }

  /**
   * Opens the panel for `passage` and asks the gateway for the document. `focus` false (a
   * citation click): the focus stays on the source card the click moved it to.
   */
  open(passage: CitedPassage, focus = true): void {
    this.wanted = passage;
    if (this.panel.hidden)
      this.returnFocus =
        document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.heading.textContent = showBidiControls(passage.title ?? passage.source);
    this.status.textContent = 'Loading the document…';
    this.body.replaceChildren();
    this.panel.hidden = false;
    if (focus) this.panel.focus();
    this.request({
      type: 'document',
      source: passage.source,
      ...(passage.snippet && { snippet: passage.snippet }),
    });
  }

  /** A `document` frame: shown when it is the one the panel waits for. */
  show(frame: DocumentFrame): void {
    const wanted = this.wanted;
    if (!wanted || frame.source !== wanted.source || this.panel.hidden) return;
    this.heading.textContent = showBidiControls(frame.title ?? wanted.title ?? frame.source);
    const found = wanted.snippet ? findPassage(frame.text, wanted.snippet) : undefined;
    // Same length as frame.text: the passage found there is at the same place here.
    const text = REFLOWED.test(frame.mimeType) ? joinSoftBreaks(frame.text) : frame.text;
    const partial =
      frame.text.length < frame.totalChars
        ? ` Showing characters ${frame.offset + 1}–${frame.offset + frame.text.length} of ${frame.totalChars}.`
        : '';
    this.status.textContent =
      (found || !wanted.snippet
        ? `${frame.source}`
        : `${frame.source}: the cited passage is not in the document's current text.`) + partial;
    if (!found) {
      this.body.replaceChildren(showBidiControls(text));
      this.body.scrollTop = 0;
      return;
    }
    const mark = h('mark', {
      className: 'cited',
      text: text.slice(found.start, found.end),
      attrs: { tabindex: '-1' },
    });
    this.body.replaceChildren(
      showBidiControls(text.slice(0, found.start)),
      mark,
      showBidiControls(text.slice(found.end)),
    );
    mark.scrollIntoView({ block: 'center' });
  }

  /** An error answering a `document` frame. */
  fail(message: string): void {
    if (this.panel.hidden) return;
    this.status.textContent = showBidiControls(message);
  }

  close(): void {
    this.panel.hidden = true;
    this.wanted = null;
    this.returnFocus?.focus();
    this.returnFocus = null;
  }
}
