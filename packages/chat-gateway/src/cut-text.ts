/**
 * The first `max` UTF-16 units of `text`, one less when the cut would fall between the two
 * halves of a surrogate pair (an emoji, most CJK extension characters): half a pair is not
 * valid Unicode, shows as "�" and makes model APIs refuse the request that carries it.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = max > 0 && isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
