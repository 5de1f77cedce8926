import { HTMLElement } from 'node-html-parser';
import { tidyText } from './blocks.js';

const ADMONITIONS = new Set(['note', 'tip', 'warning', 'caution', 'important']);

/** Rows per Markdown table block, so a long table splits into blocks that each keep its header. */
const BLOCK_CHARS = 1_200;

/**
 * A data table as Markdown tables: the first row (its `th` cells, or the first row) is the
 * header, each cell on one line with `|` escaped. A long table becomes several blocks, each
 * starting with the header, so every chunk of it can be read on its own. Returns undefined for
 * a layout table (one column, or `role="presentation"`), whose cells are ordinary content.
 */
export function markdownTables(table: HTMLElement): string[] | undefined {
  const role = table.getAttribute('role');
  if (role === 'presentation' || role === 'none') return undefined;
  // DocBook lays out a note or tip as a table: an icon, its label, then the text.
  const around = table.parentNode?.getAttribute?.('class')?.toLowerCase().split(/\s+/) ?? [];
  if (around.some((c) => ADMONITIONS.has(c))) return undefined;
  const rows = table
    .querySelectorAll('tr')
    .filter((tr) => closestTable(tr) === table)
    .map((tr) =>
      tr.childNodes
        .filter((c): c is HTMLElement => c instanceof HTMLElement && /^t[dh]$/i.test(c.rawTagName))
        .map((cell) => cellText(cell)),
    )
    .filter((cells) => cells.some(Boolean));
  const width = Math.max(0, ...rows.map((r) => r.length));
  if (width < 2 || rows.length === 0) return undefined;
  const line = (cells: string[]): string =>
    `| ${Array.from({ length: width }, (_, i) => cells[i] ?? '').join(' | ')} |`;
  const [head, ...body] = rows;
  const header = `${line(head!)}\n| ${Array.from({ length: width }, () => '---').join(' | ')} |`;
  const blocks: string[] = [];
  let current = header;
  for (const row of body) {
    const next = line(row);
    if (current !== header && current.length + next.length + 1 > BLOCK_CHARS) {
      blocks.push(current);
      current = header;
    }
    current = `${current}\n${next}`;
  }
  blocks.push(current);
  return blocks;
}

function cellText(cell: HTMLElement): string {
  const alt = cell.querySelectorAll('img').map((img) => img.getAttribute('alt') ?? '');
  const text = tidyText(cell.text).replace(/\s+/g, ' ') || alt.join(' ').trim();
  return text.replace(/\|/g, '\\|');
}

function closestTable(el: HTMLElement): HTMLElement | undefined {
  for (let p = el.parentNode; p; p = p.parentNode) {
    if (p.rawTagName?.toLowerCase() === 'table') return p;
  }
  return undefined;
}
