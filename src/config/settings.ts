// THE configuration table: every environment variable of CLI-CONTRACT.md and how it combines with
// flags and the stored profile (flag, then variable, then profile; ZOHO_ACCOUNTS_URL always wins),
// and the tuning variables (AEP_ZOHO_TIMEOUT_MS, _RETRY_BASE_MS, _MAX_IN_FLIGHT, _LOCK_WAIT_MS, and
// _FIRST_RUN_GRACE_MS: how late a due first run may be before `runs --watch` gives up, read in tasks/runs.ts),
// and ZOHO_MAX_IN_FLIGHT: Zoho CRM API calls in flight at once on the http-api path (default 5, the
// free edition's concurrency limit; Standard 10, Professional 15, Enterprise 20, Ultimate 25).
// HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read per request by http/proxy.ts.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError, UsageError } from '../core/errors.js';
import { HINTS } from '../core/hints.js';
import { addSecret } from '../core/redact.js';
import { zohoRegion } from '../zoho/regions.js';
import type { Context, LockOwner } from '../core/context.js';
import {
  CredentialsStore,
  DEFAULT_LOCK_WAIT_MS,
  type AepCredentials,
  type Profile,
  type ZohoCredentials,
} from './credentials.js';
import { assertSafeHome } from './files.js';
import { acquireLock, commandLockPath } from './lock.js';
import type { Via } from './state.js';

export const DEFAULT_PLATFORM_URL = 'https://platform.adobe.io';
export const DEFAULT_IMS_URL = 'https://ims-na1.adobelogin.com';
export const DEFAULT_SCOPES = [
  'openid',
  'AdobeID',
  'read_organizations',
  'additional_info.projectedProductContext',
  'session',
];
export const DEFAULT_ZOHO_ACCOUNTS_URL = 'https://accounts.zoho.com';
export const DEFAULT_ZOHO_ENDPOINT = 'https://www.zohoapis.com';

export interface Settings {
  profileName: string;
  home: string;
  sandbox: string;
  platformUrl: string;
  imsUrl: string;
  aep: AepCredentials & { scopes: string[] };
  zoho: ZohoCredentials;
  store: CredentialsStore;
  /** The stored profile as read (undefined when there is none). */
  stored?: Profile;
  /** AEP_ZOHO_TIMEOUT_MS: per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** AEP_ZOHO_RETRY_BASE_MS: first retry delay, doubling (default 500 ms); tests make it short. */
  retryBaseMs?: number;
  /** AEP_ZOHO_MAX_IN_FLIGHT: Platform requests in flight at once (default 16). */
  maxInFlight?: number;
  /** ZOHO_MAX_IN_FLIGHT: Zoho CRM API calls in flight at once (default 5, the free edition's limit). */
  zohoMaxInFlight?: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Trimmed value, or undefined for unset and whitespace-only values. */
export const envValue = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value ? value : undefined;
};

export function homeDir(env: Env): string {
  return (
    envValue(env, 'AEP_ZOHO_HOME') ?? join(envValue(env, 'XDG_CONFIG_HOME') ?? join(homedir(), '.config'), 'aep-zoho')
  );
}

const exampleUrl = (name: string): string =>
  ({
    AEP_IMS_URL: DEFAULT_IMS_URL,
    ZOHO_ACCOUNTS_URL: DEFAULT_ZOHO_ACCOUNTS_URL,
    ZOHO_ENDPOINT: DEFAULT_ZOHO_ENDPOINT,
  })[name] ?? DEFAULT_PLATFORM_URL;

/** URLs are stored and sent without a trailing slash, and must be http(s). */
export function normaliseUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new UsageError(`${name} is not a valid URL: '${value}'.`, {
      hint: `Give a full URL such as ${exampleUrl(name)}.`,
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${name} must be an http(s) URL, got '${value}'.`, {
      hint: `Give a full https:// URL such as ${exampleUrl(name)}, or unset ${name} to use the default.`,
    });
  }
  return url.toString().replace(/\/+$/, '');
}

function positiveInt(env: Env, name: string, unit = 'milliseconds'): number | undefined {
  const text = envValue(env, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${name} must be a whole number of ${unit}, got '${text}'.`, {
      hint: `Unset ${name} for the default.`,
    });
  return value;
}

export interface SettingsFlags {
  profile: string;
  sandbox?: string;
  region?: string;
}

/** The sandbox: flag, then AEP_SANDBOX, then the stored profile's, else prod. */
function resolveSandbox(env: Env, flags: SettingsFlags, stored: Profile | undefined): string {
  const sandbox = (flags.sandbox ?? envValue(env, 'AEP_SANDBOX') ?? stored?.sandbox ?? 'prod').trim();
  if (!/^[a-z0-9-]+$/.test(sandbox)) {
    throw new UsageError(`Invalid sandbox name '${sandbox}'.`, {
      hint: 'Sandbox names are lowercase letters, digits and hyphens, e.g. prod or dev-1.',
    });
  }
  return sandbox;
}

export const lockWaitMs = (env: Env) => positiveInt(env, 'AEP_ZOHO_LOCK_WAIT_MS') ?? DEFAULT_LOCK_WAIT_MS;

export async function loadSettings(env: Env, flags: SettingsFlags, owner: LockOwner): Promise<Settings> {
  const home = homeDir(env);
  const store = new CredentialsStore(home, owner, lockWaitMs(env));
  const profileName = flags.profile;
  const stored = await store.profile(profileName);
  const pick = (name: string, fromProfile?: string) => envValue(env, name) ?? fromProfile;

  const sandbox = resolveSandbox(env, flags, stored);
  const scopesText = envValue(env, 'AEP_SCOPES');
  const scopes = scopesText
    ? scopesText
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : (stored?.aep?.scopes ?? DEFAULT_SCOPES);

  const regionAccounts = flags.region ? zohoRegion(flags.region).accountsUrl : undefined;
  const explicitAccounts = envValue(env, 'ZOHO_ACCOUNTS_URL');
  const accountsUrl = explicitAccounts ?? regionAccounts ?? stored?.zoho?.accountsUrl;

  const settings: Settings = {
    profileName,
    home,
    sandbox,
    platformUrl: normaliseUrl(
      pick('AEP_PLATFORM_URL', stored?.platformUrl) ?? DEFAULT_PLATFORM_URL,
      'AEP_PLATFORM_URL',
    ),
    imsUrl: normaliseUrl(pick('AEP_IMS_URL', stored?.imsUrl) ?? DEFAULT_IMS_URL, 'AEP_IMS_URL'),
    aep: {
      clientId: pick('AEP_CLIENT_ID', stored?.aep?.clientId),
      clientSecret: pick('AEP_CLIENT_SECRET', stored?.aep?.clientSecret),
      orgId: pick('AEP_ORG_ID', stored?.aep?.orgId),
      scopes,
    },
    zoho: {
      ...stored?.zoho,
      clientId: pick('ZOHO_CLIENT_ID', stored?.zoho?.clientId),
      clientSecret: pick('ZOHO_CLIENT_SECRET', stored?.zoho?.clientSecret),
      accessToken: pick('ZOHO_ACCESS_TOKEN', stored?.zoho?.accessToken),
      refreshToken: pick('ZOHO_REFRESH_TOKEN', stored?.zoho?.refreshToken),
      accountsUrl: accountsUrl ? normaliseUrl(accountsUrl, 'ZOHO_ACCOUNTS_URL') : undefined,
      endpoint: (() => {
        const endpoint = pick('ZOHO_ENDPOINT', stored?.zoho?.endpoint);
        return endpoint ? normaliseUrl(endpoint, 'ZOHO_ENDPOINT') : undefined;
      })(),
    },
    store,
    stored,
    timeoutMs: positiveInt(env, 'AEP_ZOHO_TIMEOUT_MS'),
    retryBaseMs: positiveInt(env, 'AEP_ZOHO_RETRY_BASE_MS'),
    maxInFlight: positiveInt(env, 'AEP_ZOHO_MAX_IN_FLIGHT', 'requests'),
    zohoMaxInFlight: positiveInt(env, 'ZOHO_MAX_IN_FLIGHT', 'requests'),
  };
  for (const secret of [
    settings.aep.clientSecret,
    settings.zoho.clientSecret,
    settings.zoho.accessToken,
    settings.zoho.refreshToken,
  ])
    addSecret(secret);
  return settings;
}

/** The Adobe credential, or a UserError naming exactly what is missing and where to set it. */
export function requireAep(settings: Settings): Required<AepCredentials> {
  const missing: string[] = [];
  if (!settings.aep.clientId) missing.push('AEP_CLIENT_ID');
  if (!settings.aep.clientSecret) missing.push('AEP_CLIENT_SECRET');
  if (!settings.aep.orgId) missing.push('AEP_ORG_ID');
  if (missing.length) {
    throw new UserError(`Adobe credentials are missing for profile '${settings.profileName}': ${missing.join(', ')}.`, {
      code: 'AEP_CREDENTIALS_MISSING',
      hint: HINTS.aepCredentials(missing),
    });
  }
  return settings.aep as Required<AepCredentials>;
}

/** The Zoho credentials a base connection needs, with the contract's defaults for the URLs. */
export function requireZoho(
  settings: Settings,
): Required<
  Pick<ZohoCredentials, 'clientId' | 'clientSecret' | 'accessToken' | 'refreshToken' | 'accountsUrl' | 'endpoint'>
> {
  const z = settings.zoho;
  const missing: string[] = [];
  if (!z.clientId) missing.push('ZOHO_CLIENT_ID');
  if (!z.clientSecret) missing.push('ZOHO_CLIENT_SECRET');
  if (!z.accessToken) missing.push('ZOHO_ACCESS_TOKEN');
  if (!z.refreshToken) missing.push('ZOHO_REFRESH_TOKEN');
  if (missing.length) {
    throw new UserError(`Zoho credentials are missing for profile '${settings.profileName}': ${missing.join(', ')}.`, {
      code: 'ZOHO_CREDENTIALS_MISSING',
      hint: HINTS.zohoCredentials(missing),
    });
  }
  return {
    clientId: z.clientId!,
    clientSecret: z.clientSecret!,
    accessToken: z.accessToken!,
    refreshToken: z.refreshToken!,
    accountsUrl: z.accountsUrl ?? DEFAULT_ZOHO_ACCOUNTS_URL,
    endpoint: z.endpoint ?? DEFAULT_ZOHO_ENDPOINT,
  };
}

/**
 * What reading Zoho directly (--via http-api) needs: the client and the refresh token. An access
 * token is optional there: aep-zoho mints one from the refresh token when none is valid.
 */
export function requireZohoReader(
  settings: Settings,
): Required<Pick<ZohoCredentials, 'clientId' | 'clientSecret' | 'refreshToken' | 'accountsUrl'>> {
  const z = settings.zoho;
  const missing = (['clientId', 'clientSecret', 'refreshToken'] as const)
    .filter((key) => !z[key])
    .map(
      (key) =>
        ({ clientId: 'ZOHO_CLIENT_ID', clientSecret: 'ZOHO_CLIENT_SECRET', refreshToken: 'ZOHO_REFRESH_TOKEN' })[key],
    );
  if (missing.length) {
    throw new UserError(`Zoho credentials are missing for profile '${settings.profileName}': ${missing.join(', ')}.`, {
      code: 'ZOHO_CREDENTIALS_MISSING',
      hint: HINTS.zohoCredentials(missing),
    });
  }
  return {
    clientId: z.clientId!,
    clientSecret: z.clientSecret!,
    refreshToken: z.refreshToken!,
    accountsUrl: z.accountsUrl ?? DEFAULT_ZOHO_ACCOUNTS_URL,
  };
}

/**
 * Takes the lock of a writing command: one per home, profile and sandbox, so two runs never change
 * the same resources and state at once. Returns its release.
 */
export async function lockCommand(
  ctx: Pick<Context, 'env' | 'flags' | 'lockOwner' | 'log' | 'sleep'>,
): Promise<() => Promise<void>> {
  const { env, flags, lockOwner } = ctx;
  const home = homeDir(env);
  await assertSafeHome(home);
  // The stored profile is read only when neither the flag nor AEP_SANDBOX names the sandbox.
  const stored =
    flags.sandbox || envValue(env, 'AEP_SANDBOX')
      ? undefined
      : await new CredentialsStore(home, lockOwner).profile(flags.profile);
  const sandbox = resolveSandbox(env, flags, stored);
  return acquireLock(commandLockPath(home, flags.profile, sandbox), lockOwner, {
    what: `profile '${flags.profile}' in sandbox '${sandbox}'`,
    waitMs: lockWaitMs(env),
    log: ctx.log,
    sleep: ctx.sleep,
  });
}

export const VIAS: readonly Via[] = ['zoho-source', 'http-api'];
/** Adobe's Zoho CRM source, unless --via, AEP_ZOHO_VIA or connect says otherwise. */
export const DEFAULT_VIA: Via = 'zoho-source';

/**
 * The path to AEP: --via, then AEP_ZOHO_VIA, then what `connect` recorded for the sandbox, else Adobe's Zoho source.
 */
export function resolveVia(flag: string | undefined, env: Env, recorded: Via | undefined): Via {
  const given = flag?.trim() || envValue(env, 'AEP_ZOHO_VIA');
  if (given === undefined) return recorded ?? DEFAULT_VIA;
  if (!(VIAS as readonly string[]).includes(given)) {
    const from = flag?.trim() ? '--via' : 'AEP_ZOHO_VIA';
    throw new UsageError(`${from} must be zoho-source or http-api, got '${given}'.`, {
      hint: HINTS.via(),
    });
  }
  return given as Via;
}
