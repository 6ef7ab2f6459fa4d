import { defineCommand } from '../core/command.js';
import { UsageError } from '../core/errors.js';

export default defineCommand<{ port: number; latency: number }, undefined>({
  command: 'emulator',
  describe: 'Run the bundled AEP + IMS + Zoho emulator in the foreground (Ctrl-C stops it)',
  examples: [['$0 emulator --port 4010', 'then: AEP_PLATFORM_URL=http://127.0.0.1:4010 AEP_IMS_URL=… ZOHO_ACCOUNTS_URL=… aep-zoho connect']],
  builder: (y) =>
    y
      .option('port', { type: 'number', default: 4010, describe: 'Port on 127.0.0.1 (0 picks a free one)' })
      .option('latency', { type: 'number', default: 0, describe: 'Milliseconds added to every response' }),
  async run(args, ctx) {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new UsageError(`--port must be 0-65535, got ${args.port}.`);
    const { startEmulator } = await import('../emulator/server.js');
    let emu;
    try {
      emu = await startEmulator({ port: args.port, latencyMs: args.latency });
    } catch (error) {
      throw new UsageError(`Cannot listen on 127.0.0.1:${args.port}: ${(error as Error).message}.`, { hint: 'Pick another --port (0 picks a free one).' });
    }
    ctx.io.stdout.write(`aep-zoho emulator listening on ${emu.url}\n`);
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    await emu.close();
    return undefined;
  },
});
