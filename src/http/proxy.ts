// Which proxy a URL goes through: HTTPS_PROXY for https, HTTP_PROXY for http (either case, the
// lowercase one first, as curl reads them), none for hosts in NO_PROXY. Read from the injected
// environment rather than process.env (which proxy-from-env reads), so in-process runs differ.
import type { Agent } from 'node:http';
import { createRequire } from 'node:module';
import { UsageError } from '../core/errors.js';
import { addSecret } from '../core/redact.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface ProxyRoute {
  /** The proxy URL as configured (may carry user:password). */
  url: URL;
  /** The variable it came from, for messages. */
  variable: string;
  /** The proxy's origin without credentials, for messages. */
  shown: string;
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

const read = (env: Env, name: string): { name: string; value: string } | undefined => {
  for (const key of [name.toLowerCase(), name.toUpperCase()]) {
    const value = env[key]?.trim();
    if (value) return { name: key, value };
  }
  return undefined;
};

/** True when NO_PROXY names the host: `*`, the host itself, or a parent domain (`example.com`, `.example.com`), optionally with a port. */
export function bypassesProxy(target: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || DEFAULT_PORTS[target.protocol] || '';
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry.toLowerCase());
      if (!match) return false;
      const name = match[1].replace(/^\[|\]$/g, '').replace(/^\*?\./, '');
      if (match[2] && match[2] !== port) return false;
      return host === name || host.endsWith(`.${name}`);
    });
}

/** The proxy for a URL, or undefined to connect directly. A malformed proxy variable is a UsageError. */
export function proxyFor(target: URL, env: Env): ProxyRoute | undefined {
  const configured = read(env, target.protocol === 'https:' ? 'https_proxy' : 'http_proxy');
  if (!configured || bypassesProxy(target, read(env, 'no_proxy')?.value)) return undefined;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(configured.value) ? configured.value : `http://${configured.value}`);
  } catch {
    throw new UsageError(`${configured.name} is not a valid proxy URL.`, {
      hint: `Give it as http://host:port (or http://user:password@host:port), or unset ${configured.name}.`,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${configured.name} must be an http:// or https:// proxy, got ${url.protocol}//.`, {
      hint: `Give it as http://host:port, or unset ${configured.name}.`,
    });
  }
  // Proxy credentials are secrets like any other: masked wherever they could be printed.
  addSecret(decodeURIComponent(url.password));
  return { url, variable: configured.name, shown: `${url.protocol}//${url.host}` };
}

const require = createRequire(import.meta.url);
const agents = new Map<string, Agent>();

/**
 * The agent that sends a request through the proxy: a CONNECT tunnel, for https targets and http
 * ones alike (hpagent). One per proxy and scheme, so connections are pooled across the run.
 */
export function proxyAgent(route: ProxyRoute, targetProtocol: string): Agent {
  const key = `${targetProtocol}${route.url.href}`;
  let agent = agents.get(key);
  if (!agent) {
    // Loaded on first use: most runs have no proxy.
    const { HttpProxyAgent, HttpsProxyAgent } = require('hpagent') as typeof import('hpagent');
    agent =
      targetProtocol === 'https:'
        ? new HttpsProxyAgent({ proxy: route.url, keepAlive: true })
        : new HttpProxyAgent({ proxy: route.url, keepAlive: true });
    agents.set(key, agent);
  }
  return agent;
}

/** hpagent reports a proxy that refused the tunnel as "Bad response: <status>". */
export function proxyRefusal(error: unknown): number | undefined {
  const status = /^Bad response: (\d{3})$/.exec((error as Error)?.message ?? '')?.[1];
  return status ? Number(status) : undefined;
}
