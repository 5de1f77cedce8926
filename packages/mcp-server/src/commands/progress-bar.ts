import { visibleInTerminal } from '../tools/display-text.js';

/** A one-line progress bar on stderr when it is a terminal; silent otherwise (logs tell the story). */
export class ProgressBar {
  private readonly enabled: boolean;

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = Boolean(stream.isTTY) && total > 0;
  }

  update(done: number, label: string): void {
    if (!this.enabled) return;
    const width = 28;
    const filled = Math.round((done / this.total) * width);
    // File names can hold bidi controls or escape sequences: shown, never obeyed.
    const name = visibleInTerminal(label.length > 40 ? `…${label.slice(-39)}` : label);
    this.stream.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${name}\x1b[K`,
    );
  }

  finish(): void {
    if (this.enabled) this.stream.write('\r\x1b[K');
  }
}
