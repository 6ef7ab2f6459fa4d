// `templates validate <file>`: checks a template; exit 2 with every problem and its JSON path.
import { defineCommand } from '../../core/command.js';

interface Result {
  valid: true;
  name: string;
  file: string;
  table: string;
  mappings: number;
}

export default defineCommand<{ file: string }, Result>({
  command: 'validate <file>',
  describe: 'Check a template file (or built-in name) against the template format',
  examples: [
    ['$0 templates validate ./my-contacts.json', 'exit 0 when valid, 2 with each problem and its JSON path'],
    ['$0 templates validate ./my-contacts.json --json', '{ "valid": true, "name": …, "file": … }'],
  ],
  completions: { file: 'templates' },
  builder: (y) => y.positional('file', { type: 'string', describe: 'Template file (or built-in name)' }),
  async run(args) {
    const { loadTemplate } = await import('../../template/load.js');
    const { template, file } = await loadTemplate(args.file);
    return { valid: true, name: template.name, file, table: template.source.table, mappings: template.mappings.length };
  },
  async human(result, ui) {
    const { displayPath } = await import('../../template/load.js');
    ui.line(`${ui.green('Valid:')} ${displayPath(result.file)} — template '${result.name}', table ${result.table}, ${result.mappings} mappings.`);
  },
});
