/**
 * A Copy button on each code block of an answer. Added after sanitising (the Markdown cannot
 * make buttons); one listener for the whole log does the copying. `navigator.clipboard` needs
 * a secure context: https, or http on 127.0.0.1/localhost, which is how the gateway serves.
 */
import { h } from './dom.js';

export function addCopyButtons(root: DocumentFragment | Element): void {
  for (const pre of root.querySelectorAll('pre')) {
    const wrap = h('div', { className: 'code-block' });
    pre.replaceWith(wrap);
    wrap.append(
      pre,
      h('button', {
        className: 'copy-code secondary',
        text: 'Copy',
        attrs: { type: 'button', 'aria-label': 'copy the code', 'data-page-control': '' },
      }),
    );
  }
}

export function handleCopyClicks(log: HTMLElement): void {
  log.addEventListener('click', (event) => {
    const button = (event.target as Element | null)?.closest?.('button.copy-code');
    if (!(button instanceof HTMLButtonElement)) return;
    const code = button.parentElement?.querySelector('pre')?.textContent ?? '';
    const done = (label: string): void => {
      button.textContent = label;
      setTimeout(() => (button.textContent = 'Copy'), 2000);
    };
    if (!navigator.clipboard) {
      done('Copy needs https');
      return;
    }
    navigator.clipboard.writeText(code).then(
      () => done('Copied'),
      () => done('Copy refused'),
    );
  });
}
