// Test helper: an in-process emulator plus what a test needs to talk to it or point the CLI at it.
import { startEmulator, type Emulator, type EmulatorOptions, type Fault } from '../../src/emulator/server.js';

export type { Emulator } from '../../src/emulator/server.js';

export const TEST_ORG = '5C1328435BF324E90A49402A@AdobeOrg';
export const TEST_CLIENT = 'test-client-id';

export async function emulator(options: EmulatorOptions = {}): Promise<Emulator & { env: Record<string, string> }> {
  const emu = await startEmulator(options);
  return Object.assign(emu, {
    env: { AEP_PLATFORM_URL: emu.url, AEP_IMS_URL: emu.url, ZOHO_ACCOUNTS_URL: emu.url },
  });
}

/** Headers for calling the emulator's Platform APIs directly (a fresh IMS token each call). */
export async function platformHeaders(emu: Emulator, sandbox = 'prod'): Promise<Record<string, string>> {
  const res = await fetch(`${emu.url}/ims/token/v3`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: TEST_CLIENT, client_secret: 'test-secret', scope: 'openid,AdobeID' }),
  });
  const { access_token: token } = (await res.json()) as { access_token: string };
  return {
    authorization: `Bearer ${token}`,
    'x-api-key': TEST_CLIENT,
    'x-gw-ims-org-id': TEST_ORG,
    'x-sandbox-name': sandbox,
    'content-type': 'application/json',
  };
}

/** fetch + JSON against the emulator, returning status and parsed body. */
export async function call(emu: Emulator, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: headers ?? (await platformHeaders(emu)),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: parsed };
}

/** The fault kinds of the fault matrix (test/faults/matrix.test.ts), as emulator faults. */
export const MATRIX_FAULTS = {
  /** Refused with Retry-After: 1 (retried after a second, also on a POST: nothing was done). */
  '429': { kind: 'status', status: 429, retryAfter: '1' },
  '503': { kind: 'status', status: 503 },
  '500': { kind: 'status', status: 500 },
  /** The connection is reset before the service sees the request. */
  reset: { kind: 'reset' },
  /** The service handles the request, then the connection drops: a create happened unheard. */
  drop: { kind: 'drop' },
  /** Handled, then answered after the client's timeout (run the CLI with AEP_ZOHO_TIMEOUT_MS=300). */
  timeout: { kind: 'delay', ms: 700, handle: 'after' },
  /** Every IMS token issued so far expires (the gateway answers 401 from this request on). */
  'expire-tokens': { kind: 'expire-tokens' },
} as const satisfies Record<string, Fault>;

export type MatrixFault = keyof typeof MATRIX_FAULTS;

/** Injects one of the matrix faults at the k-th request the emulator receives (1-based, all requests). */
export function faultAt(emu: Emulator, k: number, kind: MatrixFault): void {
  emu.faults.add({ at: k, fault: MATRIX_FAULTS[kind], label: kind });
}
