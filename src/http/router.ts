/**
 * The web door's routes as a table, like the FTP command table: one row per
 * method and path, with who may call it, and the handler (one small file
 * each in routes/). A path is literal segments and ":name" segments that
 * match one segment each, and a last "*" matches the rest; with ten-odd routes a hand-written matcher is
 * smaller than any router package.
 */
import type { RequestContext } from './context.js';

/**
 * public: anyone (login, the page, share links: those check their own share).
 * user: a live session; a state change also needs its CSRF token.
 */
export type Access = 'public' | 'user';

export interface Route {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE' | 'OPTIONS';
  readonly path: string;
  readonly access: Access;
  handle(ctx: RequestContext): Promise<void> | void;
}

export type Match = { readonly route: Route; readonly params: Record<string, string> } | { readonly allow: readonly string[] } | null;

interface Compiled {
  readonly route: Route;
  readonly segments: readonly string[];
}

export class Router {
  private readonly routes: readonly Compiled[];

  constructor(routes: readonly Route[]) {
    this.routes = routes.map((route) => ({ route, segments: route.path.split('/').slice(1) }));
  }

  /** The route for this request, or the methods the path has (a 405), or null (a 404). A GET route answers HEAD too. */
  match(method: string, pathname: string): Match {
    const parts = pathname.split('/').slice(1);
    const allow = new Set<string>();
    for (const { route, segments } of this.routes) {
      const params = matchSegments(segments, parts);
      if (!params) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
      allow.add(route.method);
    }
    return allow.size > 0 ? { allow: [...allow] } : null;
  }
}

function matchSegments(segments: readonly string[], parts: readonly string[]): Record<string, string> | null {
  const rest = segments[segments.length - 1] === '*';
  if (rest ? parts.length < segments.length : segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === '*') break;
    if (segment.startsWith(':')) {
      if (parts[i] === '') return null;
      params[segment.slice(1)] = parts[i];
    } else if (segment !== parts[i]) return null;
  }
  return params;
}
