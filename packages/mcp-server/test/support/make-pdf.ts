/**
 * A minimal, valid PDF 1.4: one US Letter page showing `lines` in Helvetica (a standard font,
 * not embedded), an optional document-information Title, and a correct cross-reference table.
 * Text is ASCII; enough for pdf.js to extract it, without a PDF library in the tests.
 */
export function makePdf(lines: readonly string[], options: { title?: string } = {}): Buffer {
  const text = lines.map((line, i) => `${i === 0 ? '' : 'T* '}(${pdfString(line)}) Tj`).join('\n');
  const stream = `BT\n/F1 12 Tf\n14 TL\n72 720 Td\n${text}\nET\n`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}endstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    ...(options.title !== undefined ? [`<< /Title (${pdfString(options.title)}) >>`] : []),
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  // Each cross-reference entry is exactly 20 bytes: offset, generation, type, space, newline.
  body +=
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  const info = options.title !== undefined ? ` /Info ${objects.length} 0 R` : '';
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${info} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A PDF literal string's contents: backslash and parentheses escaped; ASCII only. */
function pdfString(value: string): string {
  if (/[^\x20-\x7E]/.test(value)) throw new Error(`makePdf: use printable ASCII, not ${value}`);
  return value.replace(/[\\()]/g, (c) => `\\${c}`);
}
