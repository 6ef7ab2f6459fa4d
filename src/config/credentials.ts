// The credentials store: the only file that holds secrets (profiles' Adobe and Zoho credentials,
// and the IMS token cache). Written atomically with mode 0600; refused when others can read it.
import { join } from 'node:path';
import { addSecret } from '../core/redact.js';
import { assertPrivate, readJsonFile, writeFileAtomic } from './files.js';

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
  constructor(home: string) {
    this.path = join(home, 'credentials.json');
  }

  async read(): Promise<StoreFile> {
    await assertPrivate(this.path, 'credentials store');
    const file = (await readJsonFile<Partial<StoreFile>>(this.path, 'credentials store')) ?? {};
    const store: StoreFile = { version: 1, profiles: file.profiles ?? {}, tokens: file.tokens ?? {} };
    registerSecrets(store);
    return store;
  }

  async profile(name: string): Promise<Profile | undefined> {
    return (await this.read()).profiles[name];
  }

  /** Read-modify-write of one profile (creating it), keeping every other profile as it was. */
  async updateProfile(name: string, update: (profile: Profile) => Profile): Promise<Profile> {
    const store = await this.read();
    const next = update(structuredClone(store.profiles[name] ?? {}));
    store.profiles[name] = next;
    await this.write(store);
    return next;
  }

  async cachedToken(key: string): Promise<CachedToken | undefined> {
    return (await this.read()).tokens[key];
  }

  async saveToken(key: string, token: CachedToken | undefined): Promise<void> {
    const store = await this.read();
    if (token) store.tokens[key] = token;
    else delete store.tokens[key];
    await this.write(store);
  }

  private async write(store: StoreFile): Promise<void> {
    registerSecrets(store);
    await writeFileAtomic(this.path, `${JSON.stringify(store, null, 2)}\n`, 0o600);
  }
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
