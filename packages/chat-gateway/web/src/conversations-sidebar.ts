/**
 * The conversations sidebar: New chat, a search box and the caller's conversations (newest
 * activity first, a page at a time), each with Rename (in place) and Delete (after a
 * confirmation). A left column on a wide screen; on a phone a drawer behind the ☰ button.
 */
import type {
  ConversationItem,
  ConversationsFrame,
  ServerFrame,
} from '../../src/protocol/frames.js';
import { h } from './dom.js';

type SidebarFrame =
  | { type: 'conversations'; limit?: number; cursor?: string; query?: string }
  | { type: 'conversation-rename'; sessionId: string; title: string }
  | { type: 'conversation-delete'; sessionId: string };

export interface SidebarDeps {
  send: (frame: SidebarFrame) => void;
  /** Opens another conversation (the page resumes it). */
  open: (sessionId: string) => void;
  /** Starts a new conversation. */
  startNew: () => void;
}

const PAGE = 30;
/** Typing pauses this long before the list is searched. */
const SEARCH_DELAY_MS = 250;

export class ConversationsSidebar {
  private readonly list: HTMLElement;
  private readonly status: HTMLElement;
  private readonly more: HTMLButtonElement;
  private readonly search: HTMLInputElement;
  private current: string | undefined;
  private cursor: string | undefined;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  /** The next `conversations` frame replaces the list (not a "More" page). */
  private replaceNext = true;

  constructor(
    private readonly nav: HTMLElement,
    private readonly backdrop: HTMLElement,
    private readonly toggle: HTMLButtonElement,
    private readonly confirm: HTMLDialogElement,
    private readonly deps: SidebarDeps,
  ) {
    this.list = nav.querySelector<HTMLElement>('[data-part=list]')!;
    this.status = nav.querySelector<HTMLElement>('[data-part=status]')!;
    this.more = nav.querySelector<HTMLButtonElement>('[data-part=more]')!;
    this.search = nav.querySelector<HTMLInputElement>('[data-part=search]')!;
    nav.querySelector('[data-part=new]')!.addEventListener('click', () => {
      this.closeDrawer();
      this.deps.startNew();
    });
    nav.querySelector('[data-part=close]')!.addEventListener('click', () => this.closeDrawer());
    backdrop.addEventListener('click', () => this.closeDrawer());
    toggle.addEventListener('click', () =>
      this.isDrawerOpen ? this.closeDrawer() : this.openDrawer(),
    );
    nav.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.isDrawerOpen) this.closeDrawer();
    });
    this.more.addEventListener('click', () => {
      if (!this.cursor) return;
      this.replaceNext = false;
      this.deps.send({ type: 'conversations', limit: PAGE, cursor: this.cursor, ...this.query() });
    });
    this.search.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.refresh(), SEARCH_DELAY_MS);
    });
  }

  get isDrawerOpen(): boolean {
    return this.nav.classList.contains('open');
  }

  /** Asks for the first page again (after a session starts, an answer, a rename, a delete). */
  refresh(): void {
    this.replaceNext = true;
    this.deps.send({ type: 'conversations', limit: PAGE, ...this.query() });
  }

  /** Server frames the sidebar cares about; true when the frame was the sidebar's alone. */
  apply(frame: ServerFrame): boolean {
    switch (frame.type) {
      case 'session':
        this.current = frame.sessionId;
        this.refresh();
        return false;
      case 'finish':
        this.refresh();
        return false;
      case 'conversations':
        this.show(frame);
        return true;
      case 'conversation-renamed':
        this.refresh();
        return true;
      case 'conversation-deleted':
        if (frame.sessionId === this.current) this.deps.startNew();
        else this.refresh();
        return true;
      case 'error':
        if (!frame.replyTo?.startsWith('conversation')) return false;
        this.status.textContent = frame.message;
        return true;
      default:
        return false;
    }
  }

  private query(): { query?: string } {
    const q = this.search.value.trim();
    return q ? { query: q } : {};
  }

  private show(frame: ConversationsFrame): void {
    if (this.replaceNext) this.list.replaceChildren();
    this.replaceNext = true;
    this.cursor = frame.cursor;
    this.more.hidden = frame.cursor === undefined;
    for (const item of frame.items) this.list.append(this.row(item));
    const n = this.list.childElementCount;
    this.status.textContent =
      n > 0 ? '' : this.search.value.trim() ? 'No conversation matches.' : 'No conversations yet.';
  }

  private row(item: ConversationItem): HTMLElement {
    const title = item.title || 'Untitled';
    const isCurrent = item.sessionId === this.current;
    const open = h(
      'button',
      {
        className: 'conv-open',
        attrs: { type: 'button', ...(isCurrent && { 'aria-current': 'true' }) },
      },
      h('span', { className: 'conv-title', text: title }),
      h('span', {
        className: 'conv-meta',
        text: `${when(item.updatedAt)} · ${item.messages} message${item.messages === 1 ? '' : 's'}`,
      }),
    );
    open.addEventListener('click', () => {
      this.closeDrawer();
      if (item.sessionId !== this.current) this.deps.open(item.sessionId);
    });
    const rename = h('button', {
      className: 'secondary conv-rename',
      text: 'Rename',
      attrs: { type: 'button', 'aria-label': `Rename ${title}` },
    });
    const remove = h('button', {
      className: 'secondary conv-delete',
      text: 'Delete',
      attrs: { type: 'button', 'aria-label': `Delete ${title}` },
    });
    const li = h(
      'li',
      {
        className: `conv${isCurrent ? ' current' : ''}`,
        attrs: { 'data-session': item.sessionId },
      },
      open,
      h('span', { className: 'conv-actions' }, rename, remove),
    );
    rename.addEventListener('click', () => this.editTitle(li, open, item));
    remove.addEventListener('click', () => void this.confirmDelete(item));
    return li;
  }

  /** Rename in place: Enter saves, Escape (or an unchanged name) gives up. */
  private editTitle(li: HTMLElement, open: HTMLElement, item: ConversationItem): void {
    const input = h('input', {
      className: 'conv-title-input',
      attrs: { type: 'text', maxlength: '200', 'aria-label': 'New name', value: item.title },
    });
    input.value = item.title;
    open.hidden = true;
    li.prepend(input);
    input.focus();
    input.select();
    let done = false;
    const finish = (save: boolean): void => {
      if (done) return;
      done = true;
      const title = input.value.trim();
      input.remove();
      open.hidden = false;
      if (save && title && title !== item.title)
        this.deps.send({ type: 'conversation-rename', sessionId: item.sessionId, title });
    };
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') finish(true);
      if (event.key === 'Escape') {
        event.stopPropagation();
        finish(false);
      }
    });
    input.addEventListener('blur', () => finish(true));
  }

  private async confirmDelete(item: ConversationItem): Promise<void> {
    const dialog = this.confirm;
    dialog.querySelector('[data-part=title]')!.textContent = item.title || 'Untitled';
    const answer = new Promise<boolean>((resolve) => {
      const cancel = dialog.querySelector<HTMLButtonElement>('[data-part=cancel]')!;
      const ok = dialog.querySelector<HTMLButtonElement>('[data-part=delete]')!;
      const settle = (value: boolean): void => {
        cancel.removeEventListener('click', no);
        ok.removeEventListener('click', yes);
        dialog.removeEventListener('close', no);
        if (dialog.open) dialog.close();
        resolve(value);
      };
      const no = (): void => settle(false);
      const yes = (): void => settle(true);
      cancel.addEventListener('click', no);
      ok.addEventListener('click', yes);
      dialog.addEventListener('close', no);
      dialog.showModal();
      cancel.focus();
    });
    if (await answer) this.deps.send({ type: 'conversation-delete', sessionId: item.sessionId });
  }

  private openDrawer(): void {
    this.nav.classList.add('open');
    this.backdrop.hidden = false;
    this.toggle.setAttribute('aria-expanded', 'true');
    this.search.focus();
  }

  private closeDrawer(): void {
    if (!this.isDrawerOpen) return;
    this.nav.classList.remove('open');
    this.backdrop.hidden = true;
    this.toggle.setAttribute('aria-expanded', 'false');
    this.toggle.focus();
  }
}

/** "14:05" today, else "3 Mar" (the reader's locale and time zone). */
function when(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}
