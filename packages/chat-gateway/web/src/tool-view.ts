/**
 * A tool call inside an answer: name, input and result, all shown as text (a tool result can
 * hold anything a document or a record holds, so it is never parsed as HTML or Markdown).
 */
import { showBidiControls } from './bidi.js';
import { h } from './dom.js';

export type ToolStatus =
  'running' | 'awaiting approval' | 'approved' | 'refused' | 'done' | 'failed' | 'not answered';

export class ToolView {
  readonly el: HTMLElement;
  private readonly status: HTMLElement;
  private readonly result: HTMLElement;

  constructor(
    readonly toolCallId: string,
    readonly toolName: string,
    input: Record<string, unknown>,
  ) {
    this.status = h('span', { className: 'tool-status' });
    this.result = h('pre', { className: 'tool-output' });
    this.result.hidden = true;
    this.el = h(
      'section',
      { className: 'tool', attrs: { 'aria-label': `tool call ${toolName}` } },
      h(
        'div',
        { className: 'tool-head' },
        h('code', { className: 'tool-name', text: toolName }),
        ' ',
        this.status,
      ),
      h('pre', { className: 'tool-input', text: JSON.stringify(input, null, 2) }),
      this.result,
    );
    this.setStatus('running');
  }

  setStatus(status: ToolStatus): void {
    this.status.textContent = status;
    this.el.dataset['status'] = status.replace(/ /g, '-');
  }

  /** `text`: the result's display text (the frame's `output` is for programs). */
  setResult(text: string, isError: boolean): void {
    this.result.textContent = showBidiControls(text);
    this.result.hidden = false;
    this.result.classList.toggle('tool-error', isError);
    // A refused call comes back as an error result ("did not run"); refused says it better.
    if (this.el.dataset['status'] !== 'refused') this.setStatus(isError ? 'failed' : 'done');
  }
}
