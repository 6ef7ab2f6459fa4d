// Adobe's error bodies, as documented (aep-api.md §10). Each service answers in its own style.
import type { EmuResponse } from './router.js';

/** Flow Service problem-details body, e.g. flowError(404, '1439', 'Resource not found', '...'). */
export function flowError(
  status: number,
  code: string,
  title: string,
  message: string,
  requestId: string,
  extra: Record<string, unknown> = {},
): EmuResponse {
  const type = `https://ns.adobe.com/aep/errors/FLOW-${code}-${status}`;
  return {
    status,
    body: {
      type,
      title,
      status,
      report: { 'detailed-message': message, 'request-id': requestId, ...extra },
      errorMessage: message,
      errorDetails: message,
    },
    headers: { 'x-request-id': requestId },
  };
}

/** The Platform gateway's terse error, e.g. {"error_code":"401013","message":"Oauth token is not valid"}. */
export function gatewayError(status: number, errorCode: string, message: string, requestId: string): EmuResponse {
  return { status, body: { error_code: errorCode, message }, headers: { 'x-request-id': requestId } };
}

/** Catalog, Schema Registry and Data Prep answer with a plain problem body. */
export function problem(
  status: number,
  title: string,
  detail: string,
  requestId: string,
  type = `https://ns.adobe.com/aep/errors/${status}`,
): EmuResponse {
  return {
    status,
    body: { type, status, title, detail, report: { 'request-id': requestId } },
    headers: { 'x-request-id': requestId },
  };
}
