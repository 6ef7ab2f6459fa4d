// Zoho's accounts server: the authorization URL and the grant-token exchange (aep-api.md §14).
// Zoho answers many errors with HTTP 200 and an `error` field: the body decides, not the status.
import { ApiError, UserError } from '../core/errors.js';
import { para } from '../core/text.js';
import { addSecret } from '../core/redact.js';
import type { NetworkOptions } from '../http/client.js';

/**
 * What aep-zoho reads: records (modules), module and field metadata (settings.modules,
 * settings.fields), and COQL queries (coql.READ). Zoho's scope lists name settings.ALL and
 * settings.{modules,fields,…}, never a bare settings.READ (zoho.com/crm/developer/docs/api/v8/select-api-scopes.html,
 * .../api/v7/scopes.html: "Records through a COQL Query: ZohoCRM.coql.READ and ZohoCRM.modules…").
 */
export const DEFAULT_ZOHO_SCOPES = [
  'ZohoCRM.modules.READ',
  'ZohoCRM.settings.modules.READ',
  'ZohoCRM.settings.fields.READ',
  'ZohoCRM.coql.READ',
];

export interface ZohoTokens {
  accessToken: string;
  refreshToken: string;
  apiDomain?: string;
  expiresIn: number;
}

export function authorizeUrl(accountsUrl: string, clientId: string, scopes: string[], redirectUri?: string): string {
  const url = new URL(`${accountsUrl}/oauth/v2/auth`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('scope', scopes.join(','));
  url.searchParams.set('access_type', 'offline'); // without it Zoho returns no refresh token
  url.searchParams.set('prompt', 'consent'); // a new refresh token even if the user consented before
  if (redirectUri) url.searchParams.set('redirect_uri', redirectUri);
  return url.toString();
}

/** What each of Zoho's token-endpoint errors means for a grant-token exchange (refreshes add REFRESH_ADVICE on top). */
export const ADVICE: Record<string, { message: string; hint: string }> = {
  invalid_code: {
    message: para`Zoho rejected the grant token (invalid_code): it has expired (grant tokens last about 3 minutes unless you
        chose longer) or it was already exchanged once.`,
    hint: para`Generate a new grant token ('aep-zoho zoho authorize-url', or Zoho API Console → Self Client → Generate
      Code) and run 'aep-zoho zoho token --grant-token <code>' right away.`,
  },
  invalid_client: {
    message:
      'Zoho does not recognise this client (invalid_client): the client id or secret is wrong, or the client is registered in another data centre.',
    hint: para`Check ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET, and pass --region for the data centre you sign in to Zoho
      at (zoho.com = us, zoho.eu = eu, zoho.in = in, zoho.com.au = au, zoho.jp = jp, zohocloud.ca = ca, zoho.sa = sa,
      zoho.com.cn = cn).`,
  },
  invalid_redirect_uri: {
    message:
      'Zoho rejected the redirect URI (invalid_redirect_uri): it differs from the one registered for the client or used in the authorization request.',
    hint: 'Pass --redirect-uri with exactly the Authorized Redirect URI of your Zoho client, or omit it for a Self Client.',
  },
  'Access Denied': {
    message: 'Zoho is throttling token requests (Access Denied: too many requests).',
    hint: 'Wait a few minutes and try again; Zoho allows at most 10 access tokens per refresh token every 10 minutes.',
  },
};

/** The exchange, on the one network stack: proxy, AEP_ZOHO_TIMEOUT_MS, no redirect that would resend the secret. */
export async function exchangeGrantToken(
  input: { accountsUrl: string; clientId: string; clientSecret: string; code: string; redirectUri?: string },
  network: NetworkOptions,
): Promise<ZohoTokens> {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: input.clientId,
    client_secret: input.clientSecret,
    code: input.code,
  });
  if (input.redirectUri) form.set('redirect_uri', input.redirectUri);
  // Never resent: the first attempt spends the grant code, even when its answer is lost.
  const body = await tokenCall(
    input.accountsUrl,
    form,
    network,
    false,
    ADVICE,
    'Check the grant token, client id and secret, and the data centre (--region).',
  );
  const accessToken = String(body.access_token ?? '');
  const refreshToken = String(body.refresh_token ?? '');
  addSecret(accessToken);
  addSecret(refreshToken);
  if (!accessToken)
    throw new ApiError('Zoho answered without an access token.', { hint: 'Generate a new grant token and try again.' });
  if (!refreshToken) {
    throw new UserError('Zoho returned no refresh token, so Adobe could not keep the connection alive.', {
      hint: para`Make the authorization request with access_type=offline (as 'aep-zoho zoho authorize-url' does), or
        use a Self Client's Generate Code, then exchange the new grant token.`,
    });
  }
  return { accessToken, refreshToken, apiDomain: apiDomain(body), expiresIn: Number(body.expires_in) || 3600 };
}

/** Where a refresh's errors mean something else than in a grant exchange (the rest: ADVICE). */
const REFRESH_ADVICE: Record<string, { message: string; hint: string; code?: string }> = {
  invalid_code: {
    message: para`Zoho rejected the stored refresh token (invalid_code): it was revoked (in Zoho Accounts → Connected Apps,
        or by a newer grant beyond the 20 refresh tokens a user may hold), or it belongs to another client.`,
    hint: para`Generate a new grant token ('aep-zoho zoho authorize-url', or Zoho API Console → Self Client → Generate
      Code) and run 'aep-zoho zoho token --grant-token <code>'.`,
    code: 'ZOHO_REFRESH_TOKEN_INVALID',
  },
  'Access Denied': {
    message: para`Zoho refused to mint an access token (Access Denied: "Token creation throttle limit reached"): Zoho allows
        at most 10 access tokens per refresh token every 10 minutes; wait 10 minutes before trying again.`,
    hint: para`aep-zoho keeps each access token in the credentials store and reuses it until it expires, so this means
      other programs (or many aep-zoho homes) share this refresh token: give each its own refresh token, or let them
      share one home (AEP_ZOHO_HOME).`,
    code: 'ZOHO_TOKEN_THROTTLED',
  },
  invalid_client: { ...ADVICE.invalid_client, code: 'ZOHO_CLIENT_INVALID' },
};

/** A new access token from the refresh token (grant_type=refresh_token): one mint, of at most 10 per 10 minutes. */
export async function refreshAccessToken(
  input: { accountsUrl: string; clientId: string; clientSecret: string; refreshToken: string },
  network: NetworkOptions,
): Promise<Omit<ZohoTokens, 'refreshToken'>> {
  // Zoho documents query parameters; its token endpoint takes the same fields as a form body,
  // which keeps the refresh token and client secret out of URLs (proxy and server logs).
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: input.clientId,
    client_secret: input.clientSecret,
    refresh_token: input.refreshToken,
  });
  // Resent after a lost answer: the worst case is one more mint of the ten.
  const body = await tokenCall(
    input.accountsUrl,
    form,
    network,
    true,
    { ...ADVICE, ...REFRESH_ADVICE },
    para`Check ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN (or run 'aep-zoho zoho token --grant-token
      <code>' for new tokens), and ZOHO_ACCOUNTS_URL.`,
  );
  const accessToken = String(body.access_token ?? '');
  addSecret(accessToken);
  if (!accessToken)
    throw new ApiError('Zoho answered the token refresh without an access token.', {
      hint: "Run 'aep-zoho zoho token --grant-token <code>' for new tokens.",
    });
  return { accessToken, apiDomain: apiDomain(body), expiresIn: Number(body.expires_in) || 3600 };
}

const apiDomain = (body: Record<string, unknown>) =>
  typeof body.api_domain === 'string' && body.api_domain ? body.api_domain.replace(/\/+$/, '') : undefined;

/** POST /oauth/v2/token. Zoho answers most errors with HTTP 200 and an `error` field: the body decides. */
async function tokenCall(
  accountsUrl: string,
  form: URLSearchParams,
  network: NetworkOptions,
  resend: boolean,
  advice: Record<string, { message: string; hint: string; code?: string }>,
  fallbackHint: string,
): Promise<Record<string, unknown>> {
  const { HttpClient } = await import('../http/client.js');
  const http = new HttpClient({
    ...network,
    service: "Zoho's accounts server",
    variable: 'ZOHO_ACCOUNTS_URL',
    baseUrl: accountsUrl,
  });
  const response = await http.send({
    method: 'POST',
    path: '/oauth/v2/token',
    body: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    ...(resend ? { idempotent: true } : { retry: false }),
  });
  const status = response.status;
  const text = response.body;
  // The server failing (after the retries, where a request may be resent) is not a refusal.
  if (status >= 500 || status === 408)
    throw new ApiError(
      `Zoho's accounts server at ${accountsUrl} is unavailable (HTTP ${status}); try again in a few minutes.`,
      {
        status,
        hint: resend
          ? 'Your Zoho credentials were not refused: the accounts server failed to answer. Try again later; https://status.zoho.com lists outages.'
          : para`Your Zoho credentials were not refused: the accounts server failed to answer. A grant code is valid
            for a few minutes only: run the same command again soon, or get a new code ('aep-zoho zoho authorize-url')
            if Zoho then answers invalid_code.`,
      },
    );
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ApiError(
      `Zoho's accounts server at ${accountsUrl} answered HTTP ${status} with something that is not JSON${/^\s*</.test(text) ? ' (an HTML page)' : ''}.`,
      {
        status,
        hint: 'Check --region and ZOHO_ACCOUNTS_URL: they must name a Zoho accounts server, e.g. https://accounts.zoho.com.',
      },
    );
  }
  const error = typeof body.error === 'string' ? body.error : undefined;
  if (error || status >= 400) {
    const known = advice[error ?? ''];
    throw new ApiError(
      known?.message ??
        `Zoho refused the token request (HTTP ${status}${error ? `, ${error}` : ''}${body.error_description ? `: ${body.error_description}` : ''}).`,
      {
        status,
        code: known?.code,
        hint: known?.hint ?? fallbackHint,
      },
    );
  }
  return body;
}
