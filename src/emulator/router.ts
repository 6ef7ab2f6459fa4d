// A minimal router for the emulator: handlers take a parsed request and return a response object,
// so the server can record every exchange (tests validate them against Adobe's OpenAPI files).
import type { IncomingHttpHeaders } from 'node:http';

export interface EmuRequest {
  method: string;
  /** Path without the query string, e.g. /data/foundation/flowservice/connections */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed body: JSON value, or a string map for form bodies, or undefined. */
  body: unknown;
  rawBody: string;
  params: Record<string, string>;
  requestId: string;
  /** Set by the Platform gateway check: who is calling, in which sandbox. */
  caller?: Caller;
}

export interface Caller {
  clientId: string;
  orgId: string;
  sandbox: string;
}

export interface EmuResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the body as-is (HTML pages, redirects) instead of JSON. */
  raw?: boolean;
}

export type Handler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>;

/**
 * One row of a service's route table: a method, a path with `:name` segments, and a named handler
 * that gets the service's own state (`S`) with the request. A service is its table (see `mount`).
 */
export interface RouteSpec<S> {
  method: string;
  path: string;
  handle: (service: S, req: EmuRequest) => EmuResponse | Promise<EmuResponse>;
}

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

export class Router {
  private routes: Route[] = [];

  /** `path` uses `:name` segments; a trailing slash on the request is tolerated (Adobe's spec mixes both). */
  on(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_m, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), keys, handler });
    return this;
  }

  /** Registers a route table, in its order; each handler is given `service`. */
  mount<S>(routes: readonly RouteSpec<S>[], service: S): this {
    for (const route of routes) this.on(route.method, route.path, (req) => route.handle(service, req));
    return this;
  }

  /** Finds the handler; `methodMismatch` tells a 405 from a 404. */
  match(
    method: string,
    path: string,
  ): { handler: Handler; params: Record<string, string> } | { methodMismatch: boolean } {
    let methodMismatch = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        methodMismatch = true;
        continue;
      }
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(m[i + 1]);
      });
      return { handler: route.handler, params };
    }
    return { methodMismatch };
  }
}

/** The parsed body when it is a JSON object (not an array, not a form), else undefined. */
export function objectBody(req: EmuRequest): Record<string, any> | undefined {
  return req.body && typeof req.body === 'object' && !Array.isArray(req.body)
    ? (req.body as Record<string, any>)
    : undefined;
}

export function json(status: number, body?: unknown, headers?: Record<string, string>): EmuResponse {
  return { status, body, headers };
}

/** Parses a request body by its content type: JSON, urlencoded, or multipart form data. */
export function parseBody(contentType: string | undefined, raw: string): unknown {
  if (!raw) return undefined;
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  if (type.includes('multipart/form-data')) {
    const boundary = /boundary=("?)([^";]+)\1/i.exec(contentType ?? '')?.[2];
    return boundary ? parseMultipart(raw, boundary) : undefined;
  }
  if (type.includes('json')) {
    return JSON.parse(raw); // the caller turns a SyntaxError into Adobe's 400
  }
  return undefined;
}

function parseMultipart(raw: string, boundary: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of raw.split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const name = /name="([^"]+)"/.exec(part.slice(0, split))?.[1];
    if (name) fields[name] = part.slice(split + 4).replace(/\r\n$/, '');
  }
  return fields;
}
