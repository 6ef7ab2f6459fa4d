// JWT-shaped IMS tokens, signed with a per-emulator key so the gateway can tell ours from forgeries.
// aio-lib-ims decodes the payload and reads `created_at` + `expires_in` (milliseconds, as strings).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

export interface TokenClaims {
  type: 'access_token';
  client_id: string;
  org: string;
  scope: string;
  created_at: string;
  expires_in: string;
  [key: string]: unknown;
}

export class TokenSigner {
  private readonly key = randomBytes(32);

  sign(claims: TokenClaims): string {
    const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', x5u: 'ims_na1-key-at-1.cer' }));
    const body = b64url(JSON.stringify(claims));
    return `${head}.${body}.${this.mac(`${head}.${body}`)}`;
  }

  /** The claims of a token this emulator issued, or undefined for anything else. */
  verify(token: string): TokenClaims | undefined {
    const [head, body, mac] = token.split('.');
    if (!head || !body || !mac) return undefined;
    const expected = Buffer.from(this.mac(`${head}.${body}`));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return undefined;
    }
  }

  private mac(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }
}
