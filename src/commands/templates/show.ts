// `templates show <name>`: a template's JSON (built-in name or file), after validation.
import { defineCommand } from '../../core/command.js';
import type { Template } from '../../template/types.js';

export default defineCommand<{ name: string }, Template>({
  command: 'show <name>',
  describe: 'Print a template (a built-in name or a file), as JSON',
  examples: [
    ['$0 templates show accounts', 'the built-in accounts template'],
    ['$0 templates show contacts > my-contacts.json', 'a copy to edit (then --template ./my-contacts.json)'],
  ],
  completions: { name: 'templates' },
  builder: (y) =>
    y.positional('name', { type: 'string', describe: 'Built-in template name (any case) or template file' }),
  async run(args) {
    const [{ loadTemplate, SCHEMA_FILE }, { pathToFileURL }] = await Promise.all([
      import('../../template/load.js'),
      import('node:url'),
    ]);
    const { template } = await loadTemplate(args.name);
    // A copy saved anywhere keeps its editor checks: the schema by absolute URL, not "./template.schema.json".
    return template.$schema?.startsWith('.') ? { ...template, $schema: pathToFileURL(SCHEMA_FILE).href } : template;
  },
  async human(template, ui) {
    // Plain JSON on stdout without --json too, so the output can be redirected into a file.
    const { formatTemplate } = await import('../../template/format.js');
    ui.raw(formatTemplate(template));
  },
});
