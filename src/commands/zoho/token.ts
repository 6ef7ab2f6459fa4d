import { defineCommand } from '../../core/command.js';
import type { Context } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { HINTS } from '../../core/hints.js';
import { para } from '../../core/text.js';

interface Args {
  grantToken?: string;
  region?: string;
  redirectUri?: string;
}

interface Result {
  profile: string;
  accountsUrl: string;
  endpoint: string;
  stored: string;
  accessTokenExpiresAt: string;
  /** A base connection this profile made exists in the state file: it needs the new tokens too. */
  connectionExists: boolean;
}

/**
 * What Zoho's redirect carries: `…/callback?code=1000.…&location=eu&accounts-server=https%3A%2F%2Faccounts.zoho.eu`.
 */
interface Grant {
  code: string;
  accountsServer?: string;
  redirectUri?: string;
}

/** A bare code, or the whole redirect URL pasted from the browser's address bar. */
export function parseGrant(input: string): Grant {
  const text = input.trim();
  if (!/^https?:\/\//i.test(text)) return { code: text };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError('--grant-token looks like a URL but is not a valid one.', {
      hint: 'Paste the code Zoho gave you (it starts with 1000.), or the whole address Zoho redirected to.',
    });
  }
  const code = url.searchParams.get('code')?.trim();
  if (!code) {
    const error = url.searchParams.get('error');
    throw new UsageError(
      error
        ? `Zoho's redirect carries no code but error '${error}'.`
        : "The URL passed as --grant-token has no 'code=' parameter.",
      {
        hint: para`Open the URL of 'aep-zoho zoho authorize-url', accept, and paste the address Zoho redirects to (it
          carries ?code=…).`,
      },
    );
  }
  return {
    code,
    accountsServer: url.searchParams.get('accounts-server') ?? undefined,
    redirectUri: `${url.origin}${url.pathname}`,
  };
}

/** `--grant-token -`: the code (or redirect URL) from stdin, so it shows neither in `ps` nor in shell history. */
async function readStdin(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.io.stdin) chunks.push(Buffer.from(chunk));
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text)
    throw new UsageError('--grant-token - read nothing from stdin.', {
      hint: para`Pipe the code in (e.g. 'pbpaste | aep-zoho zoho token --grant-token -'), or leave out --grant-token on
        a terminal to be asked.`,
    });
  return text;
}

export default defineCommand<Args, Result>({
  command: 'token',
  writes: true,
  describe: 'Exchange a Zoho grant token for access and refresh tokens, and store them in the profile',
  examples: [
    [
      '$0 zoho token',
      para`on a terminal: asks for the code (or the redirect URL), hidden; region and redirect URI as authorize-url
        stored them`,
    ],
    [
      '$0 zoho token --grant-token - < code.txt',
      'read it from stdin (never on the command line, where ps and shell history keep it)',
    ],
    [
      para`$0 zoho token --grant-token
        'https://example.com/callback?code=1000.abc…&accounts-server=https%3A%2F%2Faccounts.zoho.eu'`,
      "the whole redirect URL: its code and Zoho's accounts server",
    ],
  ],
  completions: { region: 'zoho-regions' },
  builder: (y) =>
    y
      .option('grant-token', {
        type: 'string',
        describe: para`The grant token (code), or the whole redirect URL; '-' reads it from stdin; asked for (hidden) on
          a terminal when left out`,
      })
      .option('region', {
        type: 'string',
        describe: 'Zoho data centre: us|eu|in|au|jp|cn|ca|sa (default: the one authorize-url stored, else us)',
      })
      .option('redirect-uri', {
        type: 'string',
        describe: para`The redirect URI of the authorization request (default: the one authorize-url stored; omit for a
          Self Client)`,
      }),
  async run(args, ctx) {
    let input = args.grantToken;
    if (input === undefined) {
      if (!ctx.canPrompt)
        throw new UsageError("Missing required option --grant-token for 'aep-zoho zoho token'.", {
          hint: para`Pass --grant-token - to read the code from stdin, or run on a terminal to be asked. Run 'aep-zoho
            zoho token --help' for its options.`,
        });
      input = await ctx.ask('Zoho grant token (the code, or the whole redirect URL): ', { secret: true });
    } else if (input.trim() === '-') {
      input = await readStdin(ctx);
    } else {
      ctx.log.warn(HINTS.grantOnCommandLine());
    }
    if (!input.trim())
      throw new UsageError('--grant-token is empty.', { hint: 'Paste the code Zoho gave you (it starts with 1000.).' });
    const grant = parseGrant(input);
    const { addSecret } = await import('../../core/redact.js');
    addSecret(grant.code);
    const { envValue, DEFAULT_ZOHO_ACCOUNTS_URL, DEFAULT_ZOHO_ENDPOINT } = await import('../../config/settings.js');
    const { ZOHO_REGIONS, zohoRegion } = await import('../../zoho/regions.js');
    const services = await ctx.services({ region: args.region });
    const { settings } = services;
    const stored = settings.stored?.zoho;
    const region = args.region?.trim().toLowerCase() || stored?.region;
    const { SHAPES, promptedValue } = await import('../../tasks/init.js');
    const clientId = settings.zoho.clientId ?? promptedValue(await ctx.ask('Zoho client id: '), SHAPES.zohoClientId);
    const clientSecret =
      settings.zoho.clientSecret ??
      promptedValue(await ctx.ask('Zoho client secret: ', { secret: true }), SHAPES.secret);
    if (!clientId || !clientSecret)
      throw new UsageError('The Zoho client id and secret are required.', {
        hint: 'Set ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET, or run on a terminal to be asked.',
      });
    // The code belongs to the accounts server that issued it: the redirect names it. Only Zoho's own
    // servers are believed (the client secret goes there); an explicit ZOHO_ACCOUNTS_URL always wins.
    const explicit = envValue(ctx.env, 'ZOHO_ACCOUNTS_URL');
    const known = Object.values(ZOHO_REGIONS).map((r) => r.accountsUrl);
    const fromRedirect = grant.accountsServer?.replace(/\/+$/, '');
    if (fromRedirect && !explicit && !known.includes(fromRedirect))
      ctx.log.warn(`The redirect names accounts server ${fromRedirect}, which is not one of Zoho's; ignored.`);
    const accountsUrl = explicit
      ? settings.zoho.accountsUrl!
      : fromRedirect && known.includes(fromRedirect)
        ? fromRedirect
        : (settings.zoho.accountsUrl ?? (region ? zohoRegion(region).accountsUrl : DEFAULT_ZOHO_ACCOUNTS_URL));
    if (explicit && args.region && zohoRegion(args.region).accountsUrl !== settings.zoho.accountsUrl) {
      ctx.log.warn(
        para`ZOHO_ACCOUNTS_URL (${settings.zoho.accountsUrl}) overrides --region ${args.region}
          (${zohoRegion(args.region).accountsUrl}).`,
      );
    }
    const redirectUri = args.redirectUri?.trim() || grant.redirectUri || stored?.redirectUri || undefined;
    const { exchangeGrantToken } = await import('../../zoho/accounts.js');
    const tokens = await exchangeGrantToken(
      { accountsUrl, clientId, clientSecret, code: grant.code, redirectUri },
      { env: ctx.env, log: ctx.log, signal: ctx.signal, timeoutMs: settings.timeoutMs },
    );
    // An explicit ZOHO_ENDPOINT wins (normalised by loadSettings); else the api_domain Zoho just named.
    const endpoint =
      (envValue(ctx.env, 'ZOHO_ENDPOINT') && settings.zoho.endpoint) ||
      tokens.apiDomain ||
      (region ? zohoRegion(region).apiDomain : DEFAULT_ZOHO_ENDPOINT);
    const expiry = ctx.now().getTime() + tokens.expiresIn * 1000;
    await settings.store.updateProfile(settings.profileName, (profile) => ({
      ...profile,
      zoho: {
        ...profile.zoho,
        clientId,
        clientSecret,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        accountsUrl,
        endpoint,
        region: region ?? profile.zoho?.region,
        accessTokenExpiry: expiry,
      },
    }));
    const state = await services.state.read(settings.sandbox).catch(() => undefined);
    return {
      profile: settings.profileName,
      accountsUrl,
      endpoint,
      stored: settings.store.path,
      accessTokenExpiresAt: new Date(expiry).toISOString(),
      connectionExists: !!state?.connection?.id,
    };
  },
  human(result, ui) {
    ui.line(
      para`${ui.green('Stored')} Zoho access and refresh tokens in profile '${result.profile}' (${result.stored}, mode
        600).`,
    );
    ui.line(`Accounts server ${result.accountsUrl}, API domain ${result.endpoint}.`);
    // An existing connection still holds the old tokens: rotating them in is the next step.
    ui.note(
      result.connectionExists
        ? `Next: ${ui.cmd('connect --update-credentials')} hands these tokens to the existing base connection.`
        : `Next: ${ui.cmd('connect')} hands these tokens to Adobe, which refreshes them from then on.`,
    );
  },
});
