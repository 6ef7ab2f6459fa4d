#!/usr/bin/env node
// Runs the compiled CLI (no loader at run time). SIGINT/SIGTERM abort the run: exit 130.
import { main } from '../dist/cli/main.js';

const controller = new AbortController();
const stop = () => {
  if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: leave now
  controller.abort();
};
// A reader that stops early (aep-zoho templates list | head) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.exitCode = await main(process.argv.slice(2), { signal: controller.signal });
// Everything worth saving is saved: a request nothing could cancel (the IMS library takes no signal
// or timeout, so an abandoned token request may still be open) must not hold the process open.
process.exit();
