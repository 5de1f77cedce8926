/**
 * Asks for the gateway's access token when the gateway answers 401: the form above the log,
 * with the gateway's message, and "not accepted" when a token was sent and refused.
 */
export class TokenPrompt {
  private readonly input: HTMLInputElement;
  private readonly text: HTMLElement;

  constructor(
    private readonly form: HTMLFormElement,
    onToken: (token: string) => void,
  ) {
    this.input = form.querySelector<HTMLInputElement>('input')!;
    this.text = form.querySelector<HTMLElement>('[data-part=text]')!;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const token = this.input.value.trim();
      if (!token) return;
      this.input.value = '';
      this.form.hidden = true;
      onToken(token);
    });
  }

  ask(message: string, rejected: boolean): void {
    this.text.textContent = rejected
      ? 'That token was not accepted. Check it and enter it again.'
      : message;
    this.form.hidden = false;
    this.input.focus();
  }

  hide(): void {
    this.form.hidden = true;
  }
}
