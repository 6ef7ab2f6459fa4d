// The credentials store: the only file that holds secrets (profiles' Adobe and Zoho credentials,
// and the IMS token cache). Written atomically with mode 0600; refused when others can read it or
// can write to its folder. Every profile shares the file, so each write re-reads it and merges its
// change under the home's credentials lock: concurrent runs (two inits of two profiles) keep both.
import { join } from 'node:path';
import type { LockOwner } from '../core/context.js';
import { addSecret } from '../core/redact.js';
import { UserError } from '../core/errors.js';
import { assertPrivate, assertSafeHome, readJsonFile, writeFileAtomic } from './files.js';
import { credentialsLockPath, withLock } from './lock.js';
import { para } from '../core/text.js';

export const DEFAULT_LOCK_WAIT_MS = 5_000;

export interface AepCredentials {
  clientId?: string;
  clientSecret?: string;
  orgId?: string;
  scopes?: string[];
}

export interface ZohoCredentials {
  clientId?: string;
  clientSecret?: string;
  accessToken?: string;
  refreshToken?: string;
  accountsUrl?: string;
  /** Zoho's api_domain: the connection's `endpoint`. */
  endpoint?: string;
  region?: string;
  /** The redirect URI of the last authorization request (`zoho authorize-url`), for `zoho token`. */
  redirectUri?: string;
  /** When the stored access token expires (ms since epoch); Adobe refreshes it after that. */
  accessTokenExpiry?: number;
}

export interface Profile {
  aep?: AepCredentials;
  zoho?: ZohoCredentials;
  sandbox?: string;
  platformUrl?: string;
  imsUrl?: string;
}

export interface CachedToken {
  token: string;
  expiry: number;
}

interface StoreFile {
  version: 1;
  profiles: Record<string, Profile>;
  tokens: Record<string, CachedToken>;
}

export class CredentialsStore {
  readonly path: string;
  constructor(
    private readonly home: string,
    private readonly owner: LockOwner,
    private readonly lockWaitMs = DEFAULT_LOCK_WAIT_MS,
  ) {
    this.path = join(home, 'credentials.json');
  }

  /** Read (and permission-checked) once per run; writes keep this copy current. */
  private cached?: Promise<StoreFile>;

  read(): Promise<StoreFile> {
    this.cached ??= this.load();
    return this.cached;
  }

  private async load(): Promise<StoreFile> {
    await assertSafeHome(this.home);
    await assertPrivate(this.path, 'credentials store');
    const file = (await readJsonFile<Partial<StoreFile>>(this.path, 'credentials store')) ?? {};
    const problem = shapeProblem(file);
    if (problem) {
      throw new UserError(`The credentials store at ${this.path} is damaged: ${problem}.`, {
        hint: para`Fix that entry in the file (keep it private), or remove the broken profile and run 'aep-zoho init'
          again.`,
      });
    }
    const store: StoreFile = { version: 1, profiles: file.profiles ?? {}, tokens: file.tokens ?? {} };
    registerSecrets(store);
    return store;
  }

  /** The file as it is on disk now (another run may have written a token since this one read it). */
  reload(): Promise<StoreFile> {
    this.cached = this.load();
    return this.cached;
  }

  async profile(name: string): Promise<Profile | undefined> {
    return (await this.read()).profiles[name];
  }

  /** Read-modify-write of one profile (creating it), keeping every other profile as it is on disk. */
  async updateProfile(name: string, update: (profile: Profile) => Profile): Promise<Profile> {
    let next: Profile = {};
    await this.change((store) => {
      next = update(structuredClone(store.profiles[name] ?? {}));
      store.profiles[name] = next;
    });
    return next;
  }

  async cachedToken(key: string): Promise<CachedToken | undefined> {
    return (await this.read()).tokens[key];
  }

  async saveToken(key: string, token: CachedToken | undefined): Promise<void> {
    await this.change((store) => {
      if (token) store.tokens[key] = token;
      else delete store.tokens[key];
    });
  }

  /** Applies a change to the file as it is now (another run may have written it since we read it). */
  private async change(apply: (store: StoreFile) => void): Promise<void> {
    await withLock(
      credentialsLockPath(this.home),
      this.owner,
      { what: `the credentials store ${this.path}`, waitMs: this.lockWaitMs },
      async () => {
        const store = await this.load();
        apply(store);
        registerSecrets(store);
        this.cached = Promise.resolve(store);
        await writeFileAtomic(this.path, `${JSON.stringify(store, null, 2)}\n`, 0o600);
      },
    );
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);
const kind = (value: unknown) =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'object'
        ? 'an object'
        : `a ${typeof value}`;

/** What is wrong with the store's structure (a hand edit, another tool), as `<JSON pointer> must be …`. */
function shapeProblem(file: Record<string, unknown>): string | undefined {
  for (const key of ['profiles', 'tokens']) {
    if (file[key] !== undefined && !isObject(file[key])) return `/${key} must be an object (got ${kind(file[key])})`;
  }
  for (const [name, profile] of Object.entries((file.profiles ?? {}) as Record<string, unknown>)) {
    const at = `/profiles/${name}`;
    if (!isObject(profile)) return `${at} must be an object (got ${kind(profile)})`;
    for (const key of ['sandbox', 'platformUrl', 'imsUrl']) {
      if (profile[key] !== undefined && typeof profile[key] !== 'string')
        return `${at}/${key} must be a string (got ${kind(profile[key])})`;
    }
    for (const part of ['aep', 'zoho']) {
      const section = profile[part];
      if (section === undefined) continue;
      if (!isObject(section)) return `${at}/${part} must be an object (got ${kind(section)})`;
      for (const [key, value] of Object.entries(section)) {
        const ok =
          key === 'scopes'
            ? Array.isArray(value) && value.every((v) => typeof v === 'string')
            : key === 'accessTokenExpiry'
              ? typeof value === 'number'
              : typeof value === 'string';
        const expected =
          key === 'scopes' ? 'an array of strings' : key === 'accessTokenExpiry' ? 'a number' : 'a string';
        if (value !== undefined && !ok) return `${at}/${part}/${key} must be ${expected} (got ${kind(value)})`;
      }
    }
  }
  for (const [key, cached] of Object.entries((file.tokens ?? {}) as Record<string, unknown>)) {
    if (!isObject(cached) || typeof cached.token !== 'string' || typeof cached.expiry !== 'number')
      return `/tokens/${key} must be { "token": string, "expiry": number }`;
  }
  return undefined;
}

function registerSecrets(store: StoreFile): void {
  for (const profile of Object.values(store.profiles)) {
    addSecret(profile.aep?.clientSecret);
    addSecret(profile.zoho?.clientSecret);
    addSecret(profile.zoho?.accessToken);
    addSecret(profile.zoho?.refreshToken);
  }
  for (const cached of Object.values(store.tokens)) addSecret(cached.token);
}
