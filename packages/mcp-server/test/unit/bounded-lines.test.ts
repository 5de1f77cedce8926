import { describe, expect, it } from 'vitest';
import { BoundedLines } from '../../src/transports/bounded-lines.js';

async function run(chunks: string[], max: number): Promise<{ lines: string[]; dropped: number[] }> {
  const dropped: number[] = [];
  const splitter = new BoundedLines(max, (bytes) => dropped.push(bytes));
  const lines: string[] = [];
  splitter.on('data', (line: Buffer) => lines.push(line.toString('utf8')));
  for (const chunk of chunks) splitter.write(Buffer.from(chunk));
  splitter.end();
  await new Promise((resolve) => splitter.on('end', resolve));
  return { lines, dropped };
}

describe('BoundedLines (stdio line reader)', () => {
  it('passes each whole line on by itself, across chunk boundaries', async () => {
    const { lines, dropped } = await run(['{"a":', '1}\n{"b":2}\n{"c"', ':3}\n'], 100);
    expect(lines).toEqual(['{"a":1}\n', '{"b":2}\n', '{"c":3}\n']);
    expect(dropped).toEqual([]);
  });

  it('drops a line longer than the limit up to its newline and keeps going', async () => {
    const { lines, dropped } = await run(['ok\n', 'x'.repeat(30), 'x'.repeat(30), '\nnext\n'], 40);
    expect(lines).toEqual(['ok\n', 'next\n']);
    expect(dropped).toEqual([61]);
  });

  it('keeps a line of exactly the limit, newline included', async () => {
    const { lines } = await run([`${'y'.repeat(9)}\n`, `${'z'.repeat(10)}\n`], 10);
    expect(lines).toEqual([`${'y'.repeat(9)}\n`]);
  });

  it('passes a final line without a newline when the input ends', async () => {
    const { lines } = await run(['a\nb'], 10);
    expect(lines).toEqual(['a\n', 'b']);
  });
});
