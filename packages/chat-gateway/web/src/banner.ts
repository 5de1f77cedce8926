/**
 * Two banners above the log: which engine answers (a clear warning when no language model is
 * configured) and the connection state while it is not open.
 */
import type { ConnectionStatus } from './connection.js';

const DISMISSED_KEY = 'chat.offline-banner-dismissed';

export class Banners {
  private countdown: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly model: HTMLElement,
    private readonly connection: HTMLElement,
    private readonly reconnectNow: () => void,
    /** Remembers a dismissed offline banner for the tab (sessionStorage). */
    private readonly storage?: Storage,
  ) {
    model.querySelector<HTMLButtonElement>('[data-part=dismiss]')?.addEventListener('click', () => {
      this.model.hidden = true;
      try {
        this.storage?.setItem(DISMISSED_KEY, '1');
      } catch {
        // Storage refused (private mode quota): dismissed for this page only.
      }
    });
  }

  showModel(model: string | null, notice: string | undefined): void {
    const text = this.model.querySelector<HTMLElement>('[data-part=text]')!;
    // The full notice stays readable on hover and to screen readers; the banner shows one line.
    this.model.title = notice ?? '';
    if (model === null && this.dismissed()) {
      this.model.hidden = true;
    } else if (model === null) {
      text.textContent = notice ?? 'No language model is configured: the offline engine answers.';
      this.model.hidden = false;
    } else {
      this.model.hidden = true;
    }
  }

  /** The page cannot connect at all (an unusable config.json): the message and a reload. */
  showFatal(message: string): void {
    clearInterval(this.countdown);
    this.connection.querySelector<HTMLElement>('[data-part=text]')!.textContent = message;
    const button = this.connection.querySelector<HTMLButtonElement>('[data-part=retry]')!;
    button.textContent = 'Reload';
    button.hidden = false;
    button.onclick = () => location.reload();
    this.connection.hidden = false;
  }

  private dismissed(): boolean {
    try {
      return this.storage?.getItem(DISMISSED_KEY) === '1';
    } catch {
      return false;
    }
  }

  showConnection(status: ConnectionStatus): void {
    clearInterval(this.countdown);
    const text = this.connection.querySelector<HTMLElement>('[data-part=text]')!;
    const button = this.connection.querySelector<HTMLButtonElement>('[data-part=retry]')!;
    if (status.state === 'refused' && status.login !== undefined) {
      // Sign-in (CHAT_OIDC_ISSUER): the header's "Sign in" link is the way on.
      this.connection.hidden = false;
      text.textContent = status.message;
      button.hidden = true;
      return;
    }
    if (status.state === 'open' || (status.state === 'refused' && status.status === 401)) {
      // A 401 is answered by the token form, not by this banner.
      this.connection.hidden = true;
      return;
    }
    if (status.state === 'refused') {
      this.connection.hidden = false;
      text.textContent = status.message;
      button.textContent = 'Try again';
      button.hidden = false;
      button.onclick = this.reconnectNow;
      return;
    }
    button.textContent = 'Reconnect now';
    // The first connection gets no banner: a blank "connecting" flash helps nobody.
    if (status.state === 'connecting' && status.attempt === 0) return;
    this.connection.hidden = false;
    if (status.state === 'connecting') {
      text.textContent = 'Connection lost. Reconnecting…';
      button.hidden = true;
      return;
    }
    const until = Date.now() + status.retryInMs;
    const tick = (): void => {
      const seconds = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      text.textContent = `Connection lost. Reconnecting in ${seconds} s.`;
    };
    tick();
    this.countdown = setInterval(tick, 1000);
    button.hidden = false;
    button.onclick = this.reconnectNow;
  }
}
