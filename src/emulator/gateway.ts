// The Platform gateway's checks, run before any Platform service sees a request: a valid IMS
// token, the API key of the token's client, the org, a known sandbox, and a content type on bodies.
// Error codes and messages follow Adobe's troubleshooting guide and Flow Service error catalogue.
import { flowError, gatewayError } from './adobe-errors.js';
import type { TokenSigner } from './jwt.js';
import type { Caller, EmuRequest, EmuResponse } from './router.js';

export interface GatewayOptions {
  signer: TokenSigner;
  sandboxes: Set<string>;
  now: () => number;
}

export function checkGateway(req: EmuRequest, opts: GatewayOptions): Caller | EmuResponse {
  const id = req.requestId;
  const auth = header(req, 'authorization');
  if (!auth) return gatewayError(401, '403010', 'Oauth token is missing.', id);
  const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1] ?? '';
  const claims = opts.signer.verify(token);
  if (!claims) return gatewayError(401, '401013', 'Oauth token is not valid', id);
  if (Number(claims.created_at) + Number(claims.expires_in) <= opts.now()) {
    return gatewayError(401, '401013', 'Oauth token is not valid', id);
  }
  const apiKey = header(req, 'x-api-key');
  if (!apiKey) return gatewayError(403, '403000', 'Api Key is required', id);
  if (apiKey !== claims.client_id) return gatewayError(403, '403003', 'Api Key is invalid', id);
  const orgId = header(req, 'x-gw-ims-org-id');
  if (!orgId) return gatewayError(400, '400003', 'Missing header', id);
  if (claims.org && orgId !== claims.org) return gatewayError(403, '403025', 'Profile is not valid', id);
  const sandbox = header(req, 'x-sandbox-name');
  if (!sandbox) {
    return flowError(
      400,
      '2105',
      'Bad Request',
      "The header 'x-sandbox-name' is missing. Provide a sandbox name and try again.",
      id,
    );
  }
  if (!opts.sandboxes.has(sandbox)) {
    return flowError(
      404,
      '2100',
      'Sandbox not found',
      `Sandbox '${sandbox}' was not found in this organization. Check the sandbox name and try again.`,
      id,
    );
  }
  if (req.rawBody && !header(req, 'content-type')) {
    return {
      status: 400,
      body: {
        type: '/placeholder/type/uri',
        status: 400,
        title: 'BadRequestError',
        detail: 'A valid content-type must be specified',
      },
    };
  }
  return { clientId: claims.client_id, orgId, sandbox };
}

export function header(req: EmuRequest, name: string): string | undefined {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text?.trim() ? text.trim() : undefined;
}

export const isCaller = (value: Caller | EmuResponse): value is Caller => 'clientId' in value;
