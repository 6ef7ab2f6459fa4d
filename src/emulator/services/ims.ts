// Adobe IMS token endpoint for OAuth Server-to-Server: /ims/token/v3 (urlencoded, Adobe's docs)
// and /ims/token/v2 (multipart, what @adobe/aio-lib-ims sends). Tokens are JWT-shaped, with
// `created_at` and `expires_in` in milliseconds, as aio-lib-ims expects.
import type { EmuRequest, EmuResponse, Router } from '../router.js';
import type { ServiceContext } from './context.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export function registerIms(router: Router, ctx: ServiceContext): void {
  const issue = (req: EmuRequest): EmuResponse => {
    const form = (req.body ?? {}) as Record<string, string>;
    const merged = { ...Object.fromEntries(req.query), ...form };
    const { grant_type: grantType, client_id: clientId, client_secret: clientSecret } = merged;
    if (grantType !== 'client_credentials') {
      return imsError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    }
    if (!clientId?.trim()) return imsError(400, 'invalid_request', 'missing client_id parameter');
    if (!clientSecret?.trim()) return imsError(401, 'invalid_client', 'missing client_secret parameter');
    const allowed = ctx.options.imsClients;
    if (allowed && !(clientId in allowed)) return imsError(400, 'invalid_client', 'invalid client_id parameter');
    if (allowed && allowed[clientId] !== clientSecret)
      return imsError(401, 'invalid_client', 'invalid client_secret parameter');
    if (!merged.scope?.trim()) return imsError(400, 'invalid_scope', 'missing scope parameter');
    const lifetime = ctx.options.tokenLifetimeMs ?? DAY_MS;
    const token = ctx.signer.sign({
      type: 'access_token',
      client_id: clientId,
      // The credential's org when it is known (imsOrgs); else v2's org_id; v3 has none, so the
      // token then works with any org header.
      org: ctx.options.imsOrgs?.[clientId] ?? merged.org_id ?? '',
      scope: merged.scope,
      created_at: String(ctx.now()),
      expires_in: String(lifetime),
      as: 'ims-na1',
    });
    return {
      status: 200,
      body: { access_token: token, token_type: 'bearer', expires_in: Math.floor(lifetime / 1000) },
    };
  };
  router.on('POST', '/ims/token/v2', issue);
  router.on('POST', '/ims/token/v3', issue);
}

function imsError(status: number, error: string, description: string): EmuResponse {
  return { status, body: { error, error_description: description } };
}
