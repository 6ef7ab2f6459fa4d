// Zoho's accounts server: the authorization page (`/oauth/v2/auth`, which redirects back with a
// grant code), the token endpoint (`/oauth/v2/token`) and revocation (`/oauth/v2/token/revoke`).
// Like Zoho, it answers most errors with HTTP 200 and an `error` field, codes are single-use, and
// minting is throttled per refresh token. Every token it issues is kept in state.zohoTokens;
// `strictCredentials` accepts no other (see zohoTokensValid).
import { randomBytes } from 'node:crypto';
import type { EmuRequest, EmuResponse, Router } from '../router.js';
import type { ServiceContext } from './context.js';

const TEN_MINUTES = 10 * 60 * 1000;
/** "a maximum of ten access tokens in a span of ten minutes" per refresh token (token-limits.html). */
const MINTS_PER_WINDOW = 10;
/** Active access tokens per refresh token; the next one deletes the oldest (token-limits.html). */
const ACTIVE_PER_REFRESH = 15;
/** Zoho access tokens live one hour (aep-api.md §14). */
export const ZOHO_TOKEN_LIFETIME_MS = 3_600_000;
/** The scopes named for a refresh token the emulator did not issue (aep-zoho's own defaults, src/zoho/accounts.ts). */
const DEFAULT_SCOPES =
  'ZohoCRM.modules.READ,ZohoCRM.settings.modules.READ,ZohoCRM.settings.fields.READ,ZohoCRM.coql.READ';

export function registerZohoAccounts(router: Router, ctx: ServiceContext): void {
  /** When each refresh token minted its recent access tokens (at most 10 per 10 minutes). */
  const mints = new Map<string, number[]>();

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
      // Strict: only a code this server issued (/oauth/v2/auth), as Zoho, which knows no other.
      if (!issued && ctx.options.strictCredentials) return zohoError('invalid_code');
      if (issued?.redirectUri && p.redirect_uri && issued.redirectUri !== p.redirect_uri)
        return zohoError('invalid_redirect_uri');
      ctx.state.usedGrantCodes.add(code);
      const refreshToken = newToken();
      ctx.state.zohoTokens.set(refreshToken, { kind: 'refresh', clientId: p.client_id, scope: issued?.scope });
      mints.set(refreshToken, [ctx.now()]);
      return tokens(ctx, p.client_id, refreshToken, true, origin(req));
    }
    if (p.grant_type === 'refresh_token') {
      const refreshToken = p.refresh_token?.trim();
      if (!refreshToken) return zohoError('invalid_code');
      // "When you generate an access token using a revoked refresh token, the system returns the
      // 'invalid_code' error" (Zoho token-validity). Unknown tokens are accepted unless strict.
      const issued = ctx.state.zohoTokens.get(refreshToken);
      if (issued && (issued.kind !== 'refresh' || issued.revoked || issued.clientId !== p.client_id))
        return zohoError('invalid_code');
      if (!issued && ctx.options.strictCredentials) return zohoError('invalid_code');
      const recent = (mints.get(refreshToken) ?? []).filter((at) => at > ctx.now() - TEN_MINUTES);
      if (recent.length >= MINTS_PER_WINDOW) {
        // HTTP 200, as Zoho answers it (zoho.com/accounts/protocol/oauth/token-limits.html; aep-fallback.md §2).
        return {
          status: 200,
          body: {
            error_description:
              'Token creation throttle limit reached. Please reuse the valid tokens you currently have.',
            error: 'Access Denied',
          },
        };
      }
      mints.set(refreshToken, [...recent, ctx.now()]);
      return tokens(ctx, p.client_id, refreshToken, false, origin(req));
    }
    return zohoError('unsupported_grant_type');
  });

  // POST /oauth/v2/token/revoke?token=<refresh_token> → {"status":"success"}; an invalid token is
  // HTTP 400. "When you revoke a refresh token, the system revokes all the access tokens generated
  // using that refresh token" (Zoho CRM revoke-tokens.html).
  router.on('POST', '/oauth/v2/token/revoke', (req) => {
    const token = (
      req.query.get('token') ?? String((req.body as Record<string, unknown> | undefined)?.token ?? '')
    ).trim();
    const issued = ctx.state.zohoTokens.get(token);
    if (!issued || issued.revoked) return { status: 400, body: { status: 'failure', error: 'invalid_token' } };
    issued.revoked = true;
    if (issued.kind === 'refresh')
      for (const record of ctx.state.zohoTokens.values()) if (record.refreshToken === token) record.revoked = true;
    return { status: 200, body: { status: 'success' } };
  });
}

/**
 * A token answer. Its `api_domain` is the emulator itself: Zoho names there the API domain of the
 * account's data centre, and clients follow it (Zoho's own SDK, with its default
 * `updateAPIDomain(true)`, sends every later call there), so naming www.zohoapis.com sent them off
 * the emulator to the real Zoho.
 */
function tokens(
  ctx: ServiceContext,
  clientId: string,
  refreshToken: string,
  withRefresh: boolean,
  apiDomain: string,
): EmuResponse {
  const accessToken = newToken();
  const lifetime = ctx.options.zohoTokenLifetimeMs ?? ZOHO_TOKEN_LIFETIME_MS;
  const now = ctx.now();
  // The 16th active access token of a refresh token deletes the oldest one.
  const active = [...ctx.state.zohoTokens.values()].filter(
    (t) =>
      t.kind === 'access' &&
      t.refreshToken === refreshToken &&
      !t.revoked &&
      !t.superseded &&
      (t.expiresAt ?? Infinity) > now,
  );
  for (const old of active.slice(0, Math.max(0, active.length - ACTIVE_PER_REFRESH + 1))) old.superseded = true;
  ctx.state.zohoTokens.set(accessToken, {
    kind: 'access',
    clientId,
    refreshToken,
    issuedAt: now,
    expiresAt: now + lifetime,
  });
  return {
    status: 200,
    body: {
      access_token: accessToken,
      ...(withRefresh ? { refresh_token: refreshToken } : {}),
      // The scopes granted, space-separated as Zoho answers them.
      scope: (ctx.state.zohoTokens.get(refreshToken)?.scope ?? DEFAULT_SCOPES).split(/[\s,]+/).join(' '),
      api_domain: apiDomain,
      token_type: 'Bearer',
      expires_in: Math.floor(lifetime / 1000),
    },
  };
}

const newToken = () => `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;

/**
 * Whether a client and its tokens would work for Adobe's connector: any non-empty ones by default
 * (CLI-CONTRACT.md, "The emulator"), except tokens this server revoked or issued to another client;
 * with `strictCredentials`, only tokens it issued to this client and has not revoked.
 */
/** Why an API call's `Zoho-oauthtoken` is refused, or undefined when it is a live access token this server issued. */
export function zohoAccessTokenProblem(
  ctx: ServiceContext,
  token: string,
): 'unknown' | 'revoked' | 'expired' | undefined {
  const issued = ctx.state.zohoTokens.get(token);
  if (issued?.kind !== 'access') return 'unknown';
  if (issued.revoked || issued.superseded) return 'revoked';
  return (issued.expiresAt ?? Infinity) <= ctx.now() ? 'expired' : undefined;
}

/**
 * The scopes an access token carries: those its grant asked for, or undefined for a token minted from a
 * refresh token no grant made here (tests and the CLI contract's "any non-empty Zoho tokens"), which the
 * API does not check.
 */
export function zohoGrantedScope(ctx: ServiceContext, token: string): string | undefined {
  const issued = ctx.state.zohoTokens.get(token);
  const refresh = issued?.refreshToken ? ctx.state.zohoTokens.get(issued.refreshToken) : undefined;
  return refresh?.scope;
}

export function zohoTokensValid(ctx: ServiceContext, clientId: unknown, tokens: unknown[]): boolean {
  return tokens.every((token) => {
    if (typeof token !== 'string' || !token.trim()) return false;
    const issued = ctx.state.zohoTokens.get(token);
    if (!issued) return !ctx.options.strictCredentials;
    return !issued.revoked && issued.clientId === clientId;
  });
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
