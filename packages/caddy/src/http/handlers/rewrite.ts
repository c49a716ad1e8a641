/** RewriteHandler mirrors `http.handlers.rewrite`; Berth uses it only to strip a static prefix. */
export interface RewriteHandler {
  '@id'?: string;
  handler: 'rewrite';
  strip_path_prefix: string;
}
