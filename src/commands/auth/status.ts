import { defineCommand } from '../../core/command.js';
import { humanTime } from '../../core/text.js';

interface Result {
  profile: string;
  orgId: string;
  clientId: string;
  sandbox: string;
  imsUrl: string;
  tokenExpiresAt: string;
  tokenCached: boolean;
}

export default defineCommand<Record<string, never>, Result>({
  command: 'status',
  describe: 'Check the IMS login: org, client and token expiry (never the token itself)',
  examples: [['$0 auth status', 'get (or reuse) a token and show who it is for']],
  async run(_args, ctx) {
    const session = await ctx.services();
    const token = await session.ims.token();
    return {
      profile: session.settings.profileName,
      orgId: session.settings.aep.orgId!,
      clientId: session.settings.aep.clientId!,
      sandbox: session.settings.sandbox,
      imsUrl: session.settings.imsUrl,
      tokenExpiresAt: new Date(token.expiry).toISOString(),
      tokenCached: token.cached,
    };
  },
  human(r, ui) {
    ui.line(`${ui.green('Logged in')} to Adobe IMS (${r.imsUrl}) as client ${ui.bold(r.clientId)}`);
    ui.line(`  org      ${r.orgId}`);
    ui.line(`  sandbox  ${r.sandbox}`);
    ui.line(`  token    valid until ${humanTime(r.tokenExpiresAt)}${r.tokenCached ? ' (cached)' : ' (new)'}`);
  },
});
