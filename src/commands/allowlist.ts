import { defineCommand } from '../core/command.js';
import { para } from '../core/text.js';

interface Region {
  region: string;
  name: string;
  ranges: string[];
}

export default defineCommand<{ region?: string }, { regions: Region[] }>({
  command: 'allowlist',
  describe: "Adobe's source IP ranges that a Zoho CRM admin must allow",
  examples: [
    ['$0 allowlist', 'every AEP region'],
    ['$0 allowlist --region nld2 --json', 'the Europe ranges as JSON'],
  ],
  completions: { region: 'aep-regions' },
  builder: (y) => y.option('region', { type: 'string', describe: 'AEP region: va7|nld2|aus5|can2' }),
  async run(args) {
    const { ALLOWLIST, allowlistFor } = await import('../aep/allowlist.js');
    return {
      regions: args.region !== undefined ? [allowlistFor(args.region)] : Object.keys(ALLOWLIST).map(allowlistFor),
    };
  },
  human(result, ui) {
    for (const region of result.regions) {
      ui.line(ui.bold(`${region.region}  ${region.name}`));
      for (const range of region.ranges) ui.line(`  ${range}`);
    }
    ui.note(
      ui.dim(
        para`In Zoho CRM: Setup → Security Control → IP restrictions (a Zoho admin). Source: Adobe's 'IP address allow
          list for sources'.`,
      ),
    );
  },
});
