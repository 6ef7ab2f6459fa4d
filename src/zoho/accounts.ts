// Zoho's accounts server: the authorization URL and the grant-token exchange (aep-api.md §14).
// Zoho answers many errors with HTTP 200 and an `error` field: the body decides, not the status.
import { ApiError, UserError } from '../core/errors.js';
import { addSecret } from '../core/redact.js';
import type { NetworkOptions } from '../http/client.js';

export const DEFAULT_ZOHO_SCOPES = ['ZohoCRM.modules.READ', 'ZohoCRM.settings.READ'];

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

const ADVICE: Record<string, { message: string; hint: string }> = {
  invalid_code: {
    message: 'Zoho rejected the grant token (invalid_code): it has expired (grant tokens last about 3 minutes unless you chose longer) or it was already exchanged once.',
    hint: "Generate a new grant token ('aep-zoho zoho authorize-url', or Zoho API Console → Self Client → Generate Code) and run 'aep-zoho zoho token --grant-token <code>' right away.",
  },
  invalid_client: {
    message: 'Zoho does not recognise this client (invalid_client): the client id or secret is wrong, or the client is registered in another data centre.',
    hint: 'Check ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET, and pass --region for the data centre you sign in to Zoho at (zoho.com = us, zoho.eu = eu, zoho.in = in, zoho.com.au = au, zoho.jp = jp, zohocloud.ca = ca, zoho.sa = sa, zoho.com.cn = cn).',
  },
  invalid_redirect_uri: {
    message: 'Zoho rejected the redirect URI (invalid_redirect_uri): it differs from the one registered for the client or used in the authorization request.',
    hint: 'Pass --redirect-uri with exactly the Authorized Redirect URI of your Zoho client, or omit it for a Self Client.',
  },
  'Access Denied': {
    message: 'Zoho is throttling token requests (Access Denied: too many requests).',
    hint: 'Wait a few minutes and try again; Zoho allows at most 10 access tokens per refresh token every 10 minutes.',
  },
};

/** The exchange, on the one network stack: proxy, AEP_ZOHO_TIMEOUT_MS, no redirect that would resend the secret. */
export async function exchangeGrantToken(input: { accountsUrl: string; clientId: string; clientSecret: string; code: string; redirectUri?: string }, network: NetworkOptions): Promise<ZohoTokens> {
  const form = new URLSearchParams({ grant_type: 'authorization_code', client_id: input.clientId, client_secret: input.clientSecret, code: input.code });
  if (input.redirectUri) form.set('redirect_uri', input.redirectUri);
  const { HttpClient } = await import('../http/client.js');
  const http = new HttpClient({ ...network, service: "Zoho's accounts server", variable: 'ZOHO_ACCOUNTS_URL', baseUrl: input.accountsUrl });
  // Never resent: the first attempt spends the grant code, even when its answer is lost.
  const response = await http.send({ method: 'POST', path: '/oauth/v2/token', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, retry: false });
  const status = response.status;
  const text = response.body;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ApiError(`Zoho's accounts server at ${input.accountsUrl} answered HTTP ${status} with something that is not JSON${/^\s*</.test(text) ? ' (an HTML page)' : ''}.`, {
      status,
      hint: 'Check --region and ZOHO_ACCOUNTS_URL: they must name a Zoho accounts server, e.g. https://accounts.zoho.com.',
    });
  }
  const error = typeof body.error === 'string' ? body.error : undefined;
  if (error || status >= 400) {
    const advice = ADVICE[error ?? ''];
    throw new ApiError(advice?.message ?? `Zoho refused the token exchange (HTTP ${status}${error ? `, ${error}` : ''}${body.error_description ? `: ${body.error_description}` : ''}).`, {
      status,
      hint: advice?.hint ?? 'Check the grant token, client id and secret, and the data centre (--region).',
    });
  }
  const accessToken = String(body.access_token ?? '');
  const refreshToken = String(body.refresh_token ?? '');
  addSecret(accessToken);
  addSecret(refreshToken);
  if (!accessToken) throw new ApiError('Zoho answered without an access token.', { hint: 'Generate a new grant token and try again.' });
  if (!refreshToken) {
    throw new UserError('Zoho returned no refresh token, so Adobe could not keep the connection alive.', {
      hint: "Make the authorization request with access_type=offline (as 'aep-zoho zoho authorize-url' does), or use a Self Client's Generate Code, then exchange the new grant token.",
    });
  }
  return { accessToken, refreshToken, apiDomain: typeof body.api_domain === 'string' ? body.api_domain.replace(/\/+$/, '') : undefined, expiresIn: Number(body.expires_in) || 3600 };
}
