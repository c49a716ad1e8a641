/** FileServerHandler mirrors `http.handlers.file_server`; `hide` entries without `/` hide that name in every directory. */
export interface FileServerHandler {
  '@id'?: string;
  handler: 'file_server';
  root: string;
  hide?: string[];
}
