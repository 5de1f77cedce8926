/**
 * Thumbs up/down under a finished answer, with an optional reason. A click sends the rating at
 * once; the reason box then offers to add why, sent as the same rating with its reason (the
 * gateway keeps the last one).
 */
import { h } from './dom.js';

export type Rate = (messageId: string, rating: 'up' | 'down', reason?: string) => void;

export class FeedbackView {
  readonly el: HTMLElement;
  private readonly up: HTMLButtonElement;
  private readonly down: HTMLButtonElement;
  private readonly form: HTMLFormElement;
  private readonly reason: HTMLInputElement;
  private readonly status: HTMLElement;
  private rating: 'up' | 'down' | undefined;

  constructor(
    private readonly messageId: string,
    private readonly rate: Rate,
  ) {
    const thumb = (rating: 'up' | 'down', symbol: string, label: string): HTMLButtonElement => {
      const button = h('button', {
        className: `thumb thumb-${rating}`,
        text: symbol,
        attrs: { type: 'button', 'aria-label': label, 'aria-pressed': 'false' },
      });
      button.addEventListener('click', () => this.choose(rating));
      return button;
    };
    // Words, not emoji: a machine without an emoji font shows empty boxes.
    this.up = thumb('up', '▲ Helpful', 'helpful answer');
    this.down = thumb('down', '▼ Not helpful', 'unhelpful answer');
    this.reason = h('input', {
      className: 'feedback-reason',
      attrs: {
        type: 'text',
        maxlength: '1000',
        placeholder: 'Why? (optional)',
        'aria-label': 'reason',
      },
    });
    this.form = h(
      'form',
      { className: 'feedback-form' },
      this.reason,
      h('button', { className: 'secondary', text: 'Send', attrs: { type: 'submit' } }),
    );
    this.form.hidden = true;
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!this.rating) return;
      this.rate(this.messageId, this.rating, this.reason.value.trim() || undefined);
      this.form.hidden = true;
    });
    this.status = h('span', { className: 'feedback-status', attrs: { role: 'status' } });
    this.el = h(
      'div',
      {
        className: 'feedback',
        attrs: { 'aria-label': 'rate this answer', role: 'group', 'data-page-control': '' },
      },
      this.up,
      this.down,
      this.form,
      this.status,
    );
  }

  private choose(rating: 'up' | 'down'): void {
    this.rating = rating;
    this.press(rating);
    this.rate(this.messageId, rating);
    this.form.hidden = false;
    this.reason.focus();
  }

  /** The gateway stored it (`announce` false: the rating came with the history). */
  saved(rating: 'up' | 'down', announce = true): void {
    this.rating = rating;
    this.press(rating);
    if (announce) this.status.textContent = 'Thanks, noted.';
  }

  private press(rating: 'up' | 'down'): void {
    this.up.setAttribute('aria-pressed', String(rating === 'up'));
    this.down.setAttribute('aria-pressed', String(rating === 'down'));
  }
}
