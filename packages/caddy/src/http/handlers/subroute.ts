import type { Route } from '../route.js';

/** SubrouteHandler mirrors `http.handlers.subroute`: a nested route list evaluated like a server's routes. */
export interface SubrouteHandler {
  '@id'?: string;
  handler: 'subroute';
  routes: Route[];
}
