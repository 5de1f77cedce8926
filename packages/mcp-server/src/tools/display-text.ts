/**
 * Document-controlled text the server shows to people and models. Bidirectional controls
 * (embeddings, overrides, isolates, marks) reorder what a reader sees without changing what is
 * stored: "Invoice \u202Eexe.pdf" displays as "Invoice fdp.exe". Shown text replaces each with a
 * visible `<U+202E>`; stored values and structured results keep the raw value.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Replaces every bidirectional control character with a visible `<U+XXXX>`. */
export function visibleBidi(text: string): string {
  return text.replace(BIDI_CONTROLS, (c) => `<U+${codePoint(c)}>`);
}

/**
 * For a terminal: bidi controls as `<U+XXXX>`, and C0/C1 control characters (escape sequences
 * that could recolour, move the cursor or retitle the window) as `<U+XXXX>` too.
 */
export function visibleInTerminal(text: string): string {
  return visibleBidi(text).replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g,
    (c) => `<U+${codePoint(c)}>`,
  );
}

export function codePoint(c: string): string {
  return c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
}
