import { defineCommand } from '../../core/command.js';
import { UsageError } from '../../core/errors.js';

interface Args {
  region?: string;
  scopes?: string[];
  redirectUri?: string;
  clientId?: string;
}

export default defineCommand<
  Args,
  { url: string; accountsUrl: string; scopes: string[]; redirectUri?: string; region?: string }
>({
  command: 'authorize-url',
  writes: true, // it remembers the region and redirect URI in the profile
  describe: 'Print the Zoho authorization URL (access type offline) that yields a grant token',
  examples: [
    [
      '$0 zoho authorize-url --region eu --redirect-uri https://example.com/callback',
      'open the URL, consent, copy the code= from the redirect',
    ],
    ['$0 zoho authorize-url --scopes ZohoCRM.modules.accounts.READ,ZohoCRM.settings.fields.READ', 'finer scopes'],
  ],
  completions: { region: 'zoho-regions' },
  lists: ['scopes'],
  builder: (y) =>
    y
      .option('region', { type: 'string', describe: 'Zoho data centre: us|eu|in|au|jp|cn|ca|sa' })
      .option('scopes', {
        type: 'string',
        describe:
          'Comma-separated Zoho scopes (default ZohoCRM.modules.READ,ZohoCRM.settings.modules.READ,ZohoCRM.settings.fields.READ,ZohoCRM.coql.READ)',
      })
      .option('redirect-uri', { type: 'string', describe: "Your Zoho client's Authorized Redirect URI" })
      .option('client-id', { type: 'string', describe: 'Zoho client id (ZOHO_CLIENT_ID, else the profile)' })
      .epilogue(
        'Two ways to get a grant token:\n' +
          '  1. Server-based client: register it at https://api-console.zoho.com with a redirect URI, open this URL,\n' +
          '     consent, and copy the code= parameter from the redirect (it lasts about 3 minutes).\n' +
          '  2. Self Client (no redirect): in https://api-console.zoho.com choose Self Client → Generate Code,\n' +
          '     enter the same scopes, pick a duration, and copy the code.\n' +
          'Then run: aep-zoho zoho token --region <dc> (it asks for the code, or the whole redirect URL, hidden)',
      ),
  async run(args, ctx) {
    const { envValue, DEFAULT_ZOHO_ACCOUNTS_URL } = await import('../../config/settings.js');
    const { authorizeUrl, DEFAULT_ZOHO_SCOPES } = await import('../../zoho/accounts.js');
    const { zohoRegion } = await import('../../zoho/regions.js');
    const { settings } = await ctx.services({ region: args.region });
    const clientId = args.clientId?.trim() || settings.zoho.clientId;
    if (!clientId)
      throw new UsageError('A Zoho client id is needed to build the URL.', {
        hint: 'Pass --client-id or set ZOHO_CLIENT_ID (register a client at https://api-console.zoho.com).',
      });
    const scopes = args.scopes ?? DEFAULT_ZOHO_SCOPES;
    if (!scopes.length || scopes.some((scope) => !/^Zoho[A-Za-z]+\.[\w.]+$/.test(scope))) {
      throw new UsageError(`Invalid --scopes '${scopes.join(',')}'.`, {
        hint: 'Zoho scopes look like ZohoCRM.modules.READ (service.scope.operation), comma-separated.',
      });
    }
    const accountsUrl = settings.zoho.accountsUrl ?? DEFAULT_ZOHO_ACCOUNTS_URL;
    const region = args.region?.trim().toLowerCase() || settings.stored?.zoho?.region;
    if (args.region && envValue(ctx.env, 'ZOHO_ACCOUNTS_URL') && zohoRegion(args.region).accountsUrl !== accountsUrl) {
      ctx.log.warn(
        `ZOHO_ACCOUNTS_URL (${accountsUrl}) overrides --region ${args.region} (${zohoRegion(args.region).accountsUrl}).`,
      );
    }
    const redirectUri = args.redirectUri?.trim() || undefined;
    // Remembered for `zoho token`: the grant code is only good at this accounts server, with this redirect URI.
    if (args.region || redirectUri) {
      await settings.store.updateProfile(settings.profileName, (profile) => ({
        ...profile,
        zoho: {
          ...profile.zoho,
          ...(args.region ? { region, accountsUrl: zohoRegion(args.region).accountsUrl } : {}),
          ...(redirectUri ? { redirectUri } : {}),
        },
      }));
    }
    return {
      url: authorizeUrl(accountsUrl, clientId, scopes, redirectUri),
      accountsUrl,
      scopes,
      redirectUri,
      ...(region ? { region } : {}),
    };
  },
  human(result, ui) {
    ui.line(result.url);
    ui.note('');
    const then = result.redirectUri
      ? 'Zoho redirects to your URI with ?code=…: paste that whole address when asked.'
      : 'Without --redirect-uri, use a Self Client instead (see --help).';
    ui.note(ui.dim(`Open it, sign in, and accept. ${then}`));
    // The next command carries what this one was told (the code only works at the same data centre).
    const next = [
      'zoho token',
      ...(result.region ? [`--region ${result.region}`] : []),
      ...(result.redirectUri ? [`--redirect-uri ${result.redirectUri}`] : []),
    ].join(' ');
    ui.note(`Then: ${ui.cmd(next)} (it asks for the code; or --grant-token - to read it from stdin).`);
  },
});
