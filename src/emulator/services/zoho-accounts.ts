// Zoho's accounts server: the authorization page (`/oauth/v2/auth`, which redirects back with a
// grant code) and the token endpoint (`/oauth/v2/token`). Like Zoho, it answers most errors with
// HTTP 200 and an `error` field, codes are single-use, and minting is throttled per refresh token.
import { randomBytes } from 'node:crypto';
import type { EmuRequest, EmuResponse, Router } from '../router.js';
import type { ServiceContext } from './context.js';

const TEN_MINUTES = 10 * 60 * 1000;
const MINTS_PER_WINDOW = 10;
export const ZOHO_API_DOMAIN = 'https://www.zohoapis.com';

export function registerZohoAccounts(router: Router, ctx: ServiceContext): void {
  const refreshTokens = new Map<string, { clientId: string; mints: number[] }>();

  router.on('GET', '/oauth/v2/auth', (req) => {
    const q = req.query;
    const missing = ['response_type', 'client_id', 'scope'].filter((key) => !q.get(key)?.trim());
    if (missing.length) return page(400, `Invalid request: missing ${missing.join(', ')}.`);
    if (q.get('response_type') !== 'code') return page(400, 'Invalid request: response_type must be code.');
    if (!clientKnown(ctx, q.get('client_id')!)) return page(400, 'Invalid Client: the client_id is not registered.');
    const code = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
    const redirectUri = q.get('redirect_uri') ?? undefined;
    ctx.state.grantCodes.set(code, { clientId: q.get('client_id')!, redirectUri, scope: q.get('scope')! });
    if (!redirectUri) return page(200, `Grant code: ${code}`);
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    target.searchParams.set('location', 'us');
    target.searchParams.set('accounts-server', origin(req));
    if (q.get('state')) target.searchParams.set('state', q.get('state')!);
    return { status: 302, headers: { location: target.toString() }, raw: true };
  });

  router.on('POST', '/oauth/v2/token', (req) => {
    const p = { ...Object.fromEntries(req.query), ...((req.body ?? {}) as Record<string, string>) };
    if (!p.client_id?.trim() || !p.client_secret?.trim() || !clientValid(ctx, p.client_id, p.client_secret)) {
      return zohoError('invalid_client');
    }
    if (p.grant_type === 'authorization_code') {
      const code = p.code?.trim();
      if (!code || ctx.state.usedGrantCodes.has(code)) return zohoError('invalid_code');
      const issued = ctx.state.grantCodes.get(code);
      if (issued && issued.clientId !== p.client_id) return zohoError('invalid_code');
      if (issued?.redirectUri && p.redirect_uri && issued.redirectUri !== p.redirect_uri) return zohoError('invalid_redirect_uri');
      ctx.state.usedGrantCodes.add(code);
      const refreshToken = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
      refreshTokens.set(refreshToken, { clientId: p.client_id, mints: [ctx.now()] });
      return tokens({ refresh_token: refreshToken });
    }
    if (p.grant_type === 'refresh_token') {
      const known = refreshTokens.get(p.refresh_token ?? '');
      // Tokens this emulator did not mint are accepted too (the contract: any non-empty tokens).
      const record = known ?? { clientId: p.client_id, mints: [] };
      if (!p.refresh_token?.trim()) return zohoError('invalid_code');
      record.mints = record.mints.filter((at) => at > ctx.now() - TEN_MINUTES);
      if (record.mints.length >= MINTS_PER_WINDOW) {
        return {
          status: 400,
          body: {
            error_description: 'You have made too many requests continuously. Please try again after some time.',
            error: 'Access Denied',
            status: 'failure',
          },
        };
      }
      record.mints.push(ctx.now());
      refreshTokens.set(p.refresh_token, record);
      return tokens({});
    }
    return zohoError('unsupported_grant_type');
  });
}

function tokens(extra: Record<string, string>): EmuResponse {
  return {
    status: 200,
    body: {
      access_token: `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`,
      ...extra,
      scope: 'ZohoCRM.modules.READ ZohoCRM.settings.READ',
      api_domain: ZOHO_API_DOMAIN,
      token_type: 'Bearer',
      expires_in: 3600,
    },
  };
}

const zohoError = (error: string): EmuResponse => ({ status: 200, body: { error } });

function clientKnown(ctx: ServiceContext, clientId: string): boolean {
  return !ctx.options.zohoClients || clientId in ctx.options.zohoClients;
}

function clientValid(ctx: ServiceContext, clientId: string, secret: string): boolean {
  return !ctx.options.zohoClients || ctx.options.zohoClients[clientId] === secret;
}

function origin(req: EmuRequest): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}

function page(status: number, text: string): EmuResponse {
  const html = `<!doctype html><html><head><title>Zoho Accounts</title></head><body><p>${text.replace(/[<>&]/g, '')}</p></body></html>`;
  return { status, body: html, headers: { 'content-type': 'text/html; charset=utf-8' }, raw: true };
}
