/**
 * Bidirectional controls (embeddings, overrides, isolates, marks) in document-controlled text
 * reorder what the reader sees: "Invoice \u202Eexe.fdp" displays as "Invoice pdf.exe". The page
 * shows each one as a visible `<U+202E>` instead, so nothing is reordered and the trick shows.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function showBidiControls(text: string): string {
  return text.replace(
    BIDI_CONTROLS,
    (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`,
  );
}

/** The same for every text node under `root` (rendered Markdown). */
export function showBidiControlsIn(root: Node): void {
  const doc = root.ownerDocument ?? document;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const value = n.nodeValue ?? '';
    BIDI_CONTROLS.lastIndex = 0;
    if (BIDI_CONTROLS.test(value)) n.nodeValue = showBidiControls(value);
  }
}
