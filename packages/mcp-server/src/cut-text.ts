/**
 * Cuts that never split a surrogate pair (an emoji, a CJK extension character): half a pair is
 * not valid Unicode, shows as "�", and model and embedding APIs refuse a request that carries
 * one, so a text cut in the wrong place can fail every later call that quotes it.
 */

/** The first `max` UTF-16 units of `text`, one less when the cut would split a pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = max > 0 && isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

/** The last `max` UTF-16 units of `text`, one less when the cut would split a pair. */
export function cutTextEnd(text: string, max: number): string {
  if (text.length <= max) return text;
  const start = text.length - max;
  return text.slice(isLowSurrogate(text.charCodeAt(start)) ? start + 1 : start);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
