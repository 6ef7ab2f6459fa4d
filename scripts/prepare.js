#!/usr/bin/env node
// npm's `prepare`: build dist/ after `npm install`, but only when a source is newer than its build.
// npm also runs `prepare` whenever `npx aep-zoho` resolves this package from its own folder with
// an empty npm cache; rebuilding then would cost seconds of start-up and rewrite dist/ under any
// aep-zoho already running from it.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
};
const sources = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')
        ? [join(dir, e.name)]
        : [],
  );

const config = mtime(join(root, 'tsconfig.json'));
const stale = sources(join(root, 'src')).some((file) => {
  const built = mtime(join(root, 'dist', relative(join(root, 'src'), file)).replace(/\.ts$/, '.js'));
  return built < 0 || built < mtime(file) || built < config;
});
if (stale) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc'); // not in typescript's exports map
  const { status } = spawnSync(process.execPath, [tsc, '-p', root], { stdio: 'inherit' });
  process.exit(status ?? 1);
}
