/**
 * The documents panel: the ingested documents (`documents` frames, a page at a time), each with
 * View (the document viewer) and Delete. Delete runs `delete_document` as a chat command, so it
 * goes through the same approval as any destructive tool: the confirm dialog comes first, and
 * nothing is deleted unless it is approved there.
 */
import type { DocumentsFrame } from '../../src/protocol/frames.js';
import type { CitedPassage } from './document-viewer.js';
import { h } from './dom.js';

export interface DocumentsPanelDeps {
  request: (frame: { type: 'documents'; cursor?: string }) => void;
  view: (passage: CitedPassage) => void;
  /** Runs delete_document through the chat (and its approval dialog). */
  remove: (source: string) => void;
}

export class DocumentsPanel {
  private readonly list: HTMLElement;
  private readonly status: HTMLElement;
  private readonly more: HTMLButtonElement;
  private cursor: string | undefined;
  /** A refresh is under way: its first page replaces the rows, which stay shown until then. */
  private replaceOnShow = false;

  constructor(
    private readonly panel: HTMLElement,
    private readonly deps: DocumentsPanelDeps,
  ) {
    this.list = panel.querySelector<HTMLElement>('[data-part=list]')!;
    this.status = panel.querySelector<HTMLElement>('[data-part=status]')!;
    this.more = panel.querySelector<HTMLButtonElement>('[data-part=more]')!;
    panel
      .querySelector<HTMLButtonElement>('[data-part=close]')!
      .addEventListener('click', () => (this.panel.hidden = true));
    panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.panel.hidden = true;
    });
    this.more.addEventListener('click', () => {
      if (this.cursor) this.deps.request({ type: 'documents', cursor: this.cursor });
    });
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  open(): void {
    this.panel.hidden = false;
    this.panel.focus();
    this.refresh();
  }

  /**
   * Asks for the list again. The rows shown stay until the new list comes (no empty panel and
   * no flicker meanwhile, e.g. after a delete), then are replaced by it.
   */
  refresh(): void {
    this.status.textContent = 'Loading…';
    this.replaceOnShow = true;
    this.deps.request({ type: 'documents' });
  }

  show(frame: DocumentsFrame): void {
    if (this.replaceOnShow) {
      this.list.replaceChildren();
      this.replaceOnShow = false;
    }
    this.cursor = frame.cursor;
    this.more.hidden = frame.cursor === undefined;
    for (const d of frame.documents) {
      const view = h('button', { className: 'secondary', text: 'View', attrs: { type: 'button' } });
      view.addEventListener('click', () =>
        this.deps.view({ source: d.source, snippet: '', ...(d.title && { title: d.title }) }),
      );
      const remove = h('button', {
        className: 'secondary doc-delete',
        text: 'Delete',
        attrs: { type: 'button', 'aria-label': `delete ${d.source}` },
      });
      remove.addEventListener('click', () => this.deps.remove(d.source));
      this.list.append(
        h(
          'li',
          { className: 'doc-row', attrs: { 'data-source': d.source } },
          h('span', { className: 'doc-title', text: d.title ?? d.source }),
          h('span', {
            className: 'doc-meta',
            text: `${d.source} · ${d.chunks} chunk(s) · ${d.ingestedAt.slice(0, 10)}`,
          }),
          h('span', { className: 'doc-actions' }, view, remove),
        ),
      );
    }
    const n = this.list.childElementCount;
    this.status.textContent = n === 0 ? 'No documents are ingested yet.' : `${n} document(s)`;
  }

  fail(message: string): void {
    if (this.isOpen) this.status.textContent = message;
  }
}
