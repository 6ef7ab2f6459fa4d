// `init`: writes a profile's credentials. Sources, in order: flags, the Developer Console JSON,
// environment variables, the stored profile, and (on a terminal only) questions.
import { readFile } from 'node:fs/promises';
import { readableByOthers } from '../config/files.js';
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { para } from '../core/text.js';
import { addSecret } from '../core/redact.js';
import { zohoRegion } from '../zoho/regions.js';

export interface InitResult {
  profile: string;
  stored: string;
  aep: { clientId?: string; orgId?: string; scopes: string[]; clientSecret: boolean };
  zoho: { clientId?: string; clientSecret: boolean; region?: string };
  /** Keys read from the Developer Console file. */
  readKeys?: string[];
}

interface ConsoleCredential {
  clientId?: string;
  clientSecret?: string;
  orgId?: string;
  scopes?: string[];
  readKeys: string[];
}

/**
 * Reads Developer Console's OAuth Server-to-Server download: the flat form (CLIENT_ID,
 * CLIENT_SECRETS[] or CLIENT_SECRET, ORG_ID, SCOPES) or the project/workspace JSON.
 */
export async function readConsoleCredential(path: string): Promise<ConsoleCredential> {
  let data: any;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UsageError(
      missing ? `No such file: ${path}.` : `${path} is not valid JSON (${(error as Error).message}).`,
      {
        hint: "In Adobe Developer Console open the project → OAuth Server-to-Server credential → 'Download JSON', and pass that file.",
      },
    );
  }
  const readKeys: string[] = [];
  const take = (object: any, ...keys: string[]) => {
    for (const key of keys) {
      if (object && object[key] !== undefined) {
        readKeys.push(key);
        return object[key];
      }
    }
    return undefined;
  };
  const workspace = data?.project?.workspace?.details?.credentials?.find?.(
    (c: any) => c?.oauth_server_to_server,
  )?.oauth_server_to_server;
  const source = workspace ?? data;
  const secrets = take(source, 'CLIENT_SECRETS', 'client_secrets', 'CLIENT_SECRET', 'client_secret');
  const scopes = take(source, 'SCOPES', 'scopes');
  const credential: ConsoleCredential = {
    clientId: take(source, 'CLIENT_ID', 'client_id'),
    clientSecret: Array.isArray(secrets) ? secrets[0] : secrets,
    orgId: take(source, 'ORG_ID', 'ims_org_id', 'org_id') ?? take(data?.project?.org, 'ims_org_id'),
    scopes: Array.isArray(scopes)
      ? scopes.map(String)
      : typeof scopes === 'string'
        ? scopes.split(',').map((s) => s.trim())
        : undefined,
    readKeys,
  };
  if (!credential.clientId || !credential.clientSecret) {
    throw new UsageError(
      `${path} has no OAuth Server-to-Server client id and secret (looked for CLIENT_ID and CLIENT_SECRETS).`,
      {
        hint: "Download the JSON of an 'OAuth Server-to-Server' credential (not an API key or a JWT credential) from Adobe Developer Console.",
      },
    );
  }
  addSecret(credential.clientSecret);
  return credential;
}

export interface Shape {
  test: RegExp;
  what: string;
  where: string;
}

/** What an answer to each question looks like (checked on answers typed at a prompt only). */
export const SHAPES = {
  // Developer Console shows the client id (API key) as 32 hexadecimal characters.
  adobeClientId: {
    test: /^[0-9a-f]{32}$/i,
    what: 'an Adobe client id (32 hexadecimal characters)',
    where:
      "Copy it from the OAuth Server-to-Server credential in Adobe Developer Console, or use 'init --from-console <file>'.",
  },
  orgId: {
    test: /^[0-9A-Za-z]{24}@AdobeOrg$/,
    what: 'an Adobe org id (24 characters and @AdobeOrg)',
    where: 'Copy it from the credential page in Adobe Developer Console.',
  },
  // Zoho's API console issues client ids as `1000.` and 32 letters and digits.
  zohoClientId: {
    test: /^1000\.[0-9A-Za-z]{32}$/,
    what: "a Zoho client id ('1000.' and 32 letters and digits)",
    where: 'Copy it from your client at https://api-console.zoho.com.',
  },
  secret: {
    test: /^[\x21-\x7e]{16,}$/,
    what: 'a client secret (16 or more characters, no spaces)',
    where: 'Copy the client secret from where the client id is shown.',
  },
} satisfies Record<string, Shape>;

/** A value answered at a prompt, refused when it has not the shape (empty: none). */
export function promptedValue(answer: string, shape: Shape): string {
  if (answer && !shape.test.test(answer))
    throw new UsageError(`That answer is not ${shape.what}.`, { hint: `${shape.where} Nothing was saved.` });
  return answer;
}

export async function initProfile(
  ctx: Context,
  args: { fromConsole?: string; clientId?: string; orgId?: string; zohoClientId?: string; zohoRegion?: string },
): Promise<InitResult> {
  const { settings } = await ctx.services();
  const fromFile = args.fromConsole ? await readConsoleCredential(args.fromConsole) : undefined;
  /**
   * A value from flags, the file, the environment or the profile as it is; else asked on a terminal,
   * where an answer of the wrong shape (a pasted command, a stray line) is refused and asked again,
   * never stored. Empty: none.
   */
  const ask = async (current: string | undefined, question: string, shape: Shape, secret = false) => {
    if (current !== undefined || !ctx.canPrompt) return current;
    for (let attempt = 1; ; attempt++) {
      const answer = (await ctx.ask(question, { secret })) || undefined;
      if (answer === undefined || shape.test.test(answer)) return answer;
      const said = secret ? 'That' : `'${answer.length > 40 ? `${answer.slice(0, 40)}…` : answer}'`;
      if (attempt === 3)
        throw new UsageError(`${said} is not ${shape.what}.`, {
          hint: `${shape.where} Nothing was saved.`,
        });
      ctx.log.warn(`${said} is not ${shape.what}; ${shape.where} Try again (Enter to leave it empty).`);
    }
  };

  const aep = {
    clientId: await ask(
      args.clientId?.trim() || fromFile?.clientId || settings.aep.clientId,
      'Adobe client id (API key): ',
      SHAPES.adobeClientId,
    ),
    clientSecret: await ask(
      fromFile?.clientSecret || settings.aep.clientSecret,
      'Adobe client secret: ',
      SHAPES.secret,
      true,
    ),
    orgId: await ask(
      args.orgId?.trim() || fromFile?.orgId || settings.aep.orgId,
      'Adobe org id (…@AdobeOrg): ',
      SHAPES.orgId,
    ),
    scopes: fromFile?.scopes ?? settings.aep.scopes,
  };
  const region = args.zohoRegion?.trim().toLowerCase() || settings.zoho.region;
  if (region) zohoRegion(region); // validates
  const zoho = {
    clientId: await ask(
      args.zohoClientId?.trim() || settings.zoho.clientId,
      'Zoho client id (Enter to skip): ',
      SHAPES.zohoClientId,
    ),
    clientSecret: settings.zoho.clientSecret,
  };
  if (zoho.clientId && !zoho.clientSecret)
    zoho.clientSecret = await ask(undefined, 'Zoho client secret: ', SHAPES.secret, true);
  if (aep.orgId && !/@AdobeOrg$/.test(aep.orgId)) {
    throw new UsageError(`'${aep.orgId}' does not look like an Adobe org id.`, {
      hint: 'Org ids end in @AdobeOrg; copy it from the credential page in Adobe Developer Console.',
    });
  }
  const missing = [
    !aep.clientId && '--client-id (or AEP_CLIENT_ID)',
    !aep.clientSecret && 'AEP_CLIENT_SECRET',
    !aep.orgId && '--org-id (or AEP_ORG_ID)',
  ].filter(Boolean);
  if (missing.length) {
    throw new UsageError(`Cannot save profile '${settings.profileName}': missing ${missing.join(', ')}.`, {
      hint: 'Pass --from-console <file> with the JSON from Adobe Developer Console, or the flags and variables named, or run on a terminal to be asked.',
    });
  }
  await settings.store.updateProfile(settings.profileName, (profile) => ({
    ...profile,
    aep: {
      ...profile.aep,
      clientId: aep.clientId,
      clientSecret: aep.clientSecret,
      orgId: aep.orgId,
      scopes: aep.scopes,
    },
    zoho: {
      ...profile.zoho,
      ...(zoho.clientId ? { clientId: zoho.clientId } : {}),
      ...(zoho.clientSecret ? { clientSecret: zoho.clientSecret } : {}),
      ...(region ? { region, accountsUrl: profile.zoho?.accountsUrl ?? zohoRegion(region).accountsUrl } : {}),
    },
    ...(ctx.flags.sandbox ? { sandbox: ctx.flags.sandbox } : {}),
  }));
  const mode = args.fromConsole ? await readableByOthers(args.fromConsole) : undefined;
  if (mode !== undefined) {
    ctx.log.warn(
      para`${args.fromConsole} holds your Adobe client secret and other users can read it (mode ${mode.toString(8)}).
        The credential is now stored in ${settings.store.path} (mode 600): delete the download (rm
        '${args.fromConsole}'), or at least restrict it (chmod 600 '${args.fromConsole}').`,
    );
  }
  return {
    profile: settings.profileName,
    stored: settings.store.path,
    aep: { clientId: aep.clientId, orgId: aep.orgId, scopes: aep.scopes, clientSecret: !!aep.clientSecret },
    zoho: { clientId: zoho.clientId, clientSecret: !!zoho.clientSecret, region },
    readKeys: fromFile?.readKeys,
  };
}
