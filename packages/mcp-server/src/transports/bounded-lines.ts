import { Transform, type TransformCallback } from 'node:stream';

/**
 * Splits stdin into whole lines of at most `maxBytes`, passing each on by itself, so that the
 * SDK's stdio buffer (10 MiB, re-scanned on every chunk) only ever holds one complete message.
 * A longer line is dropped up to its newline and reported through `onDrop`: the session goes on,
 * where the SDK alone would end it. Buffering is linear in the input.
 */
export class BoundedLines extends Transform {
  private parts: Buffer[] = [];
  private size = 0;
  private dropping = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onDrop: (bytes: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.collect(chunk.subarray(start, nl + 1));
      if (this.dropping) this.onDrop(this.size);
      else this.push(Buffer.concat(this.parts, this.size));
      this.parts = [];
      this.size = 0;
      this.dropping = false;
      start = nl + 1;
    }
    if (start < chunk.length) this.collect(chunk.subarray(start));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.size > 0 && !this.dropping) this.push(Buffer.concat(this.parts, this.size));
    done();
  }

  private collect(piece: Buffer): void {
    this.size += piece.length;
    if (this.size > this.maxBytes) {
      this.dropping = true;
      this.parts = [];
      return;
    }
    if (!this.dropping) this.parts.push(piece);
  }
}
