/**
 * Approval for destructive tool calls: a modal `<dialog>`, one request at a time. Refuse has the
 * initial focus (the safe default for Enter), Escape refuses, Tab stays inside the dialog, and
 * focus goes back to where it was when the dialog closes.
 */
import { showBidiControls } from './bidi.js';
import type { ConfirmRequestFrame } from '../../src/protocol/frames.js';

interface Pending {
  frame: ConfirmRequestFrame;
  resolve: (approve: boolean | null) => void;
}

export class ConfirmDialog {
  private readonly queue: Pending[] = [];
  private current: Pending | null = null;
  private returnFocus: HTMLElement | null = null;

  constructor(
    private readonly dialog: HTMLDialogElement,
    private readonly parts = {
      tool: dialog.querySelector<HTMLElement>('[data-part=tool]')!,
      input: dialog.querySelector<HTMLElement>('[data-part=input]')!,
      approve: dialog.querySelector<HTMLButtonElement>('[data-part=approve]')!,
      refuse: dialog.querySelector<HTMLButtonElement>('[data-part=refuse]')!,
    },
  ) {
    this.parts.approve.addEventListener('click', () => this.answer(true));
    this.parts.refuse.addEventListener('click', () => this.answer(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      this.answer(false);
    });
    dialog.addEventListener('keydown', (event) => this.trapTab(event));
  }

  /** Resolves true (approve), false (refuse) or null (withdrawn: the connection went away). */
  ask(frame: ConfirmRequestFrame): Promise<boolean | null> {
    return new Promise((resolve) => {
      this.queue.push({ frame, resolve });
      if (!this.current) this.showNext();
    });
  }

  /** The server forgets pending approvals with the connection; so does the page. */
  withdrawAll(): void {
    for (const p of this.queue.splice(0)) p.resolve(null);
    if (this.current) {
      this.current.resolve(null);
      this.current = null;
      this.close();
    }
  }

  private showNext(): void {
    const next = this.queue.shift();
    if (!next) return;
    this.current = next;
    this.parts.tool.textContent = showBidiControls(next.frame.toolName);
    this.parts.input.textContent = showBidiControls(JSON.stringify(next.frame.input, null, 2));
    if (!this.dialog.open) {
      const active = document.activeElement;
      this.returnFocus = active instanceof HTMLElement ? active : null;
      this.dialog.showModal();
    }
    this.parts.refuse.focus();
  }

  private answer(approve: boolean): void {
    const p = this.current;
    if (!p) return;
    this.current = null;
    p.resolve(approve);
    if (this.queue.length > 0) this.showNext();
    else this.close();
  }

  private close(): void {
    if (this.dialog.open) this.dialog.close();
    this.returnFocus?.focus();
    this.returnFocus = null;
  }

  private trapTab(event: KeyboardEvent): void {
    if (event.key !== 'Tab') return;
    const focusable = [...this.dialog.querySelectorAll<HTMLElement>('button, [tabindex="0"]')];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }
}
