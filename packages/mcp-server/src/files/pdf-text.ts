import { ValidationError } from '../errors.js';

/** Extracts the text of a PDF, page by page, with pdf.js (Mozilla's PDF reader). */
export async function pdfToText(data: Uint8Array): Promise<{ text: string; title?: string }> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let doc;
  try {
    doc = await getDocument({ data, isEvalSupported: false, useSystemFonts: false, verbosity: 0 })
      .promise;
  } catch (error) {
    throw new ValidationError(
      `not a readable PDF (${error instanceof Error ? error.message : String(error)}); check the file opens in a PDF viewer, or export it again`,
    );
  }
  try {
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      pages.push(
        content.items
          .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : ''))
          .join('')
          .trim(),
      );
    }
    const meta = await doc.getMetadata().catch(() => undefined);
    const info: unknown = meta?.info;
    const title = (info as { Title?: unknown } | undefined)?.Title;
    const text = pages.filter(Boolean).join('\n\n');
    if (!text.trim()) {
      throw new ValidationError(
        'the PDF has no extractable text (a scanned image?); run OCR on it first',
      );
    }
    return { text, ...(typeof title === 'string' && title.trim() && { title: title.trim() }) };
  } finally {
    await doc.destroy();
  }
}
