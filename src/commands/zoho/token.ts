import { defineCommand } from '../../core/command.js';
import { UsageError } from '../../core/errors.js';

interface Args {
  grantToken: string;
  region?: string;
  redirectUri?: string;
}

interface Result {
  profile: string;
  accountsUrl: string;
  endpoint: string;
  stored: string;
  accessTokenExpiresAt: string;
}

export default defineCommand<Args, Result>({
  command: 'token',
  writes: true,
  describe: 'Exchange a Zoho grant token for access and refresh tokens, and store them in the profile',
  examples: [
    ['$0 zoho token --grant-token 1000.abc… --region eu', 'exchange a grant token from an EU Zoho account'],
    ['ZOHO_CLIENT_ID=… ZOHO_CLIENT_SECRET=… $0 zoho token --grant-token 1000.abc…', 'self-client code, no redirect URI'],
  ],
  builder: (y) =>
    y
      .option('grant-token', { type: 'string', demandOption: true, describe: 'The grant token (code) from the authorization redirect or the Self Client' })
      .option('region', { type: 'string', describe: 'Zoho data centre: us|eu|in|au|jp|cn|ca|sa (default us, or the stored one)' })
      .option('redirect-uri', { type: 'string', describe: 'The redirect URI of the authorization request (omit for a Self Client)' }),
  async run(args, ctx) {
    const code = args.grantToken.trim();
    if (!code) throw new UsageError('--grant-token is empty.', { hint: 'Paste the code Zoho gave you (it starts with 1000.).' });
    const { loadSettings, envValue, DEFAULT_ZOHO_ACCOUNTS_URL, DEFAULT_ZOHO_ENDPOINT } = await import('../../config/settings.js');
    const { zohoRegion } = await import('../../zoho/regions.js');
    const settings = await loadSettings(ctx.env, { ...ctx.flags, region: args.region }, ctx.lockOwner);
    const clientId = settings.zoho.clientId ?? (await ctx.ask('Zoho client id: '));
    const clientSecret = settings.zoho.clientSecret ?? (await ctx.ask('Zoho client secret: ', { secret: true }));
    if (!clientId || !clientSecret) throw new UsageError('The Zoho client id and secret are required.', { hint: 'Set ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET, or run on a terminal to be asked.' });
    const accountsUrl = settings.zoho.accountsUrl ?? DEFAULT_ZOHO_ACCOUNTS_URL;
    const { exchangeGrantToken } = await import('../../zoho/accounts.js');
    const tokens = await exchangeGrantToken({ accountsUrl, clientId, clientSecret, code, redirectUri: args.redirectUri?.trim() || undefined }, { env: ctx.env, log: ctx.log, signal: ctx.signal, timeoutMs: settings.timeoutMs });
    // An explicit ZOHO_ENDPOINT wins (normalised by loadSettings); else the api_domain Zoho just named.
    const endpoint = (envValue(ctx.env, 'ZOHO_ENDPOINT') && settings.zoho.endpoint) || tokens.apiDomain || (args.region ? zohoRegion(args.region).apiDomain : DEFAULT_ZOHO_ENDPOINT);
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
        region: args.region?.toLowerCase() ?? profile.zoho?.region,
        accessTokenExpiry: expiry,
      },
    }));
    return { profile: settings.profileName, accountsUrl, endpoint, stored: settings.store.path, accessTokenExpiresAt: new Date(expiry).toISOString() };
  },
  human(result, ui) {
    ui.line(`${ui.green('Stored')} Zoho access and refresh tokens in profile '${result.profile}' (${result.stored}, mode 600).`);
    ui.line(`Accounts server ${result.accountsUrl}, API domain ${result.endpoint}.`);
    ui.line(`Next: ${ui.bold('aep-zoho connect')} hands these tokens to Adobe, which refreshes them from then on.`);
  },
});
