// The Zoho access token of the http-api path (CLI-CONTRACT.md "Configuration"): one token reused
// until it expires, across runs too (kept in the credentials store with its expiry), because Zoho
// mints at most 10 access tokens per refresh token every 10 minutes. Order: a token this run holds,
// then a stored one that is still valid, then ZOHO_ACCESS_TOKEN (only a starting token here: its
// expiry is unknown, so it is used until Zoho says INVALID_TOKEN), then a mint with the refresh
// token. Concurrent callers share one mint.
import { DEFAULT_ZOHO_ACCOUNTS_URL, envValue, requireZohoReader, type Settings } from '../config/settings.js';
import type { ZohoCredentials } from '../config/credentials.js';
import { addSecret } from '../core/redact.js';
import type { NetworkOptions } from '../http/client.js';
import { refreshAccessToken } from './accounts.js';

/** A token is not used in its last minute: a call that starts just before the expiry would fail on the way. */
export const EXPIRY_MARGIN_MS = 60_000;

export interface ZohoAccess {
  token: string;
  /** This call minted it (callers that joined a mint in flight get false). */
  minted: boolean;
  /** When it expires (ms since epoch); Infinity when unknown (ZOHO_ACCESS_TOKEN, or a stored token without expiry). */
  expiry: number;
}

interface Held {
  token: string;
  expiry: number;
  /** expiry minus the margin (at most half the lifetime, so short-lived tokens stay usable). */
  usableUntil: number;
}

export class ZohoTokenSource {
  /** Access tokens minted by this source (tests and the bench count them). */
  mints = 0;
  /** The api_domain of the last token answer (ZOHO_ENDPOINT, when set, wins over it: see ZohoCrm). */
  apiDomain?: string;
  private held?: Held;
  private minting?: Promise<ZohoAccess>;
  /** Tokens Zoho refused: never offered again in this run. */
  private readonly rejected = new Set<string>();

  constructor(
    private readonly settings: Settings,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly network: NetworkOptions,
    private readonly now: () => number,
  ) {}

  /** A usable token; mints only when no valid one is held, stored or given. */
  async get(): Promise<ZohoAccess> {
    if (this.minting) return { ...(await this.minting), minted: false };
    const held = this.usable(this.held);
    if (held) return { token: held.token, expiry: held.expiry, minted: false };
    const zoho = await this.storedZoho();
    const stored = this.valid(zoho);
    if (stored && stored.expiry !== Infinity) return this.hold(stored);
    // ZOHO_ACCESS_TOKEN only starts the chain; an expired stored copy of it is not tried again.
    const given = envValue(this.env, 'ZOHO_ACCESS_TOKEN');
    const expiredCopy = given === zoho?.accessToken && zoho?.accessTokenExpiry !== undefined;
    if (given && !this.rejected.has(given) && !expiredCopy) return this.hold({ token: given, expiry: Infinity });
    if (stored) return this.hold(stored);
    return this.mint();
  }

  /**
   * After Zoho refused `bad` (INVALID_TOKEN): a token another caller (or run) got since, else one
   * mint shared by every caller that saw the same refusal.
   */
  async refreshAfter(bad: string): Promise<ZohoAccess> {
    this.rejected.add(bad);
    if (this.held?.token === bad) this.held = undefined;
    if (this.minting) return { ...(await this.minting), minted: false };
    const held = this.usable(this.held);
    if (held) return { token: held.token, expiry: held.expiry, minted: false };
    const stored = this.valid(await this.storedZoho());
    if (stored && stored.expiry !== Infinity) return this.hold(stored);
    return this.mint();
  }

  private usable(held: Held | undefined): Held | undefined {
    return held && !this.rejected.has(held.token) && held.usableUntil > this.now() ? held : undefined;
  }

  private hold(token: { token: string; expiry: number }): ZohoAccess {
    addSecret(token.token);
    this.held = { ...token, usableUntil: token.expiry - EXPIRY_MARGIN_MS };
    return { ...token, minted: false };
  }

  /** The profile's Zoho section as the file holds it now: another run may have stored a token since. */
  private async storedZoho(): Promise<ZohoCredentials | undefined> {
    const file = await this.settings.store.reload();
    return file.profiles[this.settings.profileName]?.zoho;
  }

  /** The stored token when it is still valid (Infinity: stored without an expiry), else undefined. */
  private valid(zoho: ZohoCredentials | undefined): { token: string; expiry: number } | undefined {
    const token = zoho?.accessToken;
    if (!token || this.rejected.has(token)) return undefined;
    const expiry = zoho!.accessTokenExpiry ?? Infinity;
    return expiry - EXPIRY_MARGIN_MS > this.now() ? { token, expiry } : undefined;
  }

  private mint(): Promise<ZohoAccess> {
    this.minting ??= (async () => {
      // After this tick: a failure thrown before the first await would run `finally` before
      // `this.minting` is assigned, leaving a rejected mint cached for the rest of the run.
      await null;
      try {
        // No valid token (none stored, ZOHO_ACCESS_TOKEN unset or refused): minting needs the client and the refresh token.
        const { clientId, clientSecret, refreshToken } = requireZohoReader(this.settings);
        const started = this.now();
        const answer = await refreshAccessToken(
          {
            accountsUrl: this.settings.zoho.accountsUrl ?? DEFAULT_ZOHO_ACCOUNTS_URL,
            clientId,
            clientSecret,
            refreshToken,
          },
          this.network,
        );
        this.mints++;
        this.apiDomain = answer.apiDomain ?? this.apiDomain;
        const lifetime = answer.expiresIn * 1000;
        const expiry = started + lifetime;
        this.held = {
          token: answer.accessToken,
          expiry,
          usableUntil: expiry - Math.min(EXPIRY_MARGIN_MS, lifetime / 2),
        };
        await this.save(answer.accessToken, expiry, answer.apiDomain);
        return { token: answer.accessToken, expiry, minted: true };
      } finally {
        this.minting = undefined;
      }
    })();
    return this.minting;
  }

  /** Kept for the next run (mode 0600, atomic: the store does that); a failed write only costs a mint later. */
  // The api_domain goes with the token: a token of Zoho's EU centre is refused on the US domain, so a
  // later run that used the default would throw it away and mint another (ZOHO_ENDPOINT still wins).
  private async save(token: string, expiry: number, apiDomain?: string): Promise<void> {
    try {
      await this.settings.store.updateProfile(this.settings.profileName, (profile) => ({
        ...profile,
        zoho: {
          ...profile.zoho,
          accessToken: token,
          accessTokenExpiry: expiry,
          ...(apiDomain ? { endpoint: apiDomain } : {}),
        },
      }));
    } catch (error) {
      this.network.log.warn(
        `Could not keep the new Zoho access token in ${this.settings.store.path} (${(error as Error).message}); the next run mints another.`,
      );
    }
  }
}
