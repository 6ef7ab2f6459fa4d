// Shared by the benchmark and the tests: copies of the accounts template with their own names,
// and a gateway front that allows only so many requests in flight.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const accountsFile = new URL('../templates/accounts.json', import.meta.url);

/** `count` template files: copies of accounts named accounts2, accounts3, … with their own titles. */
export function accountsCopies(count) {
  const dir = mkdtempSync(join(tmpdir(), 'aep-zoho-templates-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const accounts = JSON.parse(readFileSync(accountsFile, 'utf8'));
  const files = [];
  for (let i = 2; i <= count + 1; i++) {
    const t = structuredClone(accounts);
    t.name = `accounts${i}`;
    t.target.schema.title += ` ${i}`;
    t.target.fieldGroup.title += ` ${i}`;
    t.target.dataset.name += ` ${i}`;
    if (t.target.schema.fallbackClass) t.target.schema.fallbackClass.title += ` ${i}`;
    const file = join(dir, `accounts${i}.json`);
    writeFileSync(file, JSON.stringify(t, null, 2));
    files.push(file);
  }
  return files;
}

/**
 * A front for the emulator that answers 429 (Retry-After) beyond `maxInFlight` requests at once,
 * adds `latencyMs` to each so that they overlap, and counts: `peak` is what the client had open at
 * once (refused requests included), `refused` the 429s, `served` the requests passed on.
 */
export async function throttlingFront(target, { maxInFlight, latencyMs = 0, retryAfter = '1' }) {
  const front = { url: '', peak: 0, refused: 0, served: 0, close: async () => undefined };
  let active = 0;
  let open = 0;
  const server = createServer((req, res) => {
    front.peak = Math.max(front.peak, ++open);
    res.on('close', () => open--);
    if (active >= maxInFlight) {
      front.refused++;
      res
        .writeHead(429, { 'retry-after': retryAfter, 'content-type': 'application/json' })
        .end('{"error_code":"429050","message":"Too many requests"}');
      return;
    }
    active++;
    front.served++;
    setTimeout(() => {
      const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => active--);
      });
      upstream.on('error', () => {
        active--;
        res.writeHead(502).end();
      });
      req.pipe(upstream);
    }, latencyMs);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.url = `http://127.0.0.1:${server.address().port}`;
  front.close = () =>
    new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
  return front;
}

/** The CLI's environment against an emulator, in `home`, with the benchmark's made-up credentials. */
export function benchEnv(emu, home) {
  return {
    AEP_ZOHO_HOME: home,
    AEP_PLATFORM_URL: emu.url,
    AEP_IMS_URL: emu.url,
    ZOHO_ACCOUNTS_URL: emu.url,
    AEP_CLIENT_ID: 'bench-client',
    AEP_CLIENT_SECRET: 'bench-secret',
    AEP_ORG_ID: 'BENCH00000000000000000000@AdobeOrg',
    ZOHO_CLIENT_ID: '1000.BENCH',
    ZOHO_CLIENT_SECRET: 'bench-zoho-secret',
    ZOHO_ACCESS_TOKEN: 'bench-access',
    ZOHO_REFRESH_TOKEN: 'bench-refresh',
  };
}
