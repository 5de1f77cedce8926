/**
 * The input: Enter sends, Shift+Enter (or Enter while an IME is composing) is a new line; Cancel
 * shows while an answer runs.
 */
export class Composer {
  constructor(
    private readonly form: HTMLFormElement,
    private readonly input: HTMLTextAreaElement,
    private readonly cancel: HTMLButtonElement,
    onSend: (text: string) => void,
    onCancel: () => void,
  ) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      input.value = '';
      onSend(text);
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    cancel.addEventListener('click', () => {
      onCancel();
      input.focus();
    });
  }

  setRunning(running: boolean): void {
    // Hiding a focused button drops focus to <body>; keep keyboard users in the input.
    if (!running && document.activeElement === this.cancel) this.input.focus();
    this.cancel.hidden = !running;
  }

  focus(): void {
    this.input.focus();
  }
}
