/** EncodeHandler mirrors `http.handlers.encode`: it compresses what the handlers after it write. */
export interface EncodeHandler {
  '@id'?: string;
  handler: 'encode';
  encodings: { zstd?: Record<string, never>; gzip?: { level?: number } };
  /** Preferred order when the client accepts several encodings equally. */
  prefer?: Array<'zstd' | 'gzip'>;
}
