/**
 * Keeps the log scrolled to the newest text while it streams, but only while the reader is at
 * the bottom: someone scrolled up to read an older answer is not yanked down.
 */
export function followLog(log: HTMLElement): void {
  let stick = true;
  log.addEventListener('scroll', () => {
    stick = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  });
  new MutationObserver(() => {
    if (stick) log.scrollTop = log.scrollHeight;
  }).observe(log, { childList: true, subtree: true, characterData: true });
}
