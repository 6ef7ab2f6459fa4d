// Test helper: an in-process emulator plus what a test needs to talk to it or point the CLI at it.
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/server.js';

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
