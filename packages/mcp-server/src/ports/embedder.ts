/** Turns text into vectors. Implementations: a local deterministic one, Bedrock Titan V2. */
export interface Embedder {
  /** Stable identifier of the model and settings; stored with the index so a mismatch is caught. */
  readonly id: string;
  readonly dimensions: number;
  /** The most characters one input may have; the chunker keeps chunks below it. */
  readonly maxInputChars: number;
  /** One normalized vector per text, in order. */
  embed(texts: readonly string[], purpose: 'document' | 'query'): Promise<Float32Array[]>;
}
