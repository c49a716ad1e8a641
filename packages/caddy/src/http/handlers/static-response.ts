/** StaticResponseHandler mirrors `http.handlers.static_response`; `body` and header values expand placeholders. */
export interface StaticResponseHandler {
  '@id'?: string;
  handler: 'static_response';
  status_code: number;
  headers?: Record<string, string[]>;
  body?: string;
}
