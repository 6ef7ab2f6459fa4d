import { defineCommand } from '../core/command.js';
import { para } from '../core/text.js';
import type { InitResult } from '../tasks/init.js';

interface Args {
  fromConsole?: string;
  clientId?: string;
  orgId?: string;
  zohoClientId?: string;
  zohoRegion?: string;
}

export default defineCommand<Args, InitResult>({
  command: 'init',
  writes: true,
  describe: "Set up a profile's credentials (asks on a terminal; flags and environment otherwise)",
  examples: [
    [
      '$0 init --from-console ~/Downloads/credential.json',
      'import the OAuth Server-to-Server JSON from Adobe Developer Console',
    ],
    [
      '$0 init --client-id abc --org-id 123@AdobeOrg --profile staging',
      'on a terminal: asks only for the secret (never on the command line, where ps and history keep it)',
    ],
  ],
  completions: { 'zoho-region': 'zoho-regions' },
  builder: (y) =>
    y
      .option('from-console', {
        type: 'string',
        describe: 'OAuth Server-to-Server credential JSON downloaded from Adobe Developer Console',
      })
      .option('client-id', { type: 'string', describe: 'Adobe client id (API key)' })
      .option('org-id', { type: 'string', describe: 'Adobe org id (…@AdobeOrg)' })
      .option('zoho-client-id', { type: 'string', describe: 'Zoho OAuth client id' })
      .option('zoho-region', { type: 'string', describe: 'Zoho data centre: us|eu|in|au|jp|cn|ca|sa' }),
  async run(args, ctx) {
    const { initProfile } = await import('../tasks/init.js');
    return initProfile(ctx, args);
  },
  human(r, ui) {
    if (r.readKeys) ui.line(`Read ${r.readKeys.join(', ')} from the Developer Console file.`);
    ui.line(`${ui.green('Saved')} profile '${r.profile}' to ${r.stored} (mode 600).`);
    const missing = ui.yellow('missing');
    ui.line(
      para`  Adobe: client ${r.aep.clientId ?? missing}, org ${r.aep.orgId ?? missing}, secret
        ${r.aep.clientSecret ? 'stored' : missing}`,
    );
    const region = r.zoho.region ? `, region ${r.zoho.region}` : '';
    ui.line(
      `  Zoho:  client ${r.zoho.clientId ?? missing}, secret ${r.zoho.clientSecret ? 'stored' : missing}${region}`,
    );
    ui.note(`Next: ${ui.cmd('auth status')}, then ${ui.cmd('zoho authorize-url')} to get Zoho tokens.`);
  },
});
