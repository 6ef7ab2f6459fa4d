// Issue 21.7: a listing that never ends is stopped. Every Adobe list (Schema Registry, Data Prep's
// mapping sets, Flow Service, Catalog) goes through one paginator that stops on a repeated
// next-page token, on a page with nothing new, and after 1,000 pages: exit 1 naming the listing,
// a bounded number of requests. A stand-in between the binary and the emulator answers the list.
import { strict as assert } from 'node:assert';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { cliEnv, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator, type Emulator } from '../helpers/emulator.js';
import { startProxy, type Rule } from '../helpers/proxy.js';

const SCHEMAS = '/data/foundation/schemaregistry/tenant/schemas';
const MAPPING_SETS = '/data/foundation/conversion/mappingSets';
const DATASETS = '/data/foundation/catalog/dataSets';
const json = (body: unknown) => ({
  status: 200,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
});

describe('listings that never end', () => {
  let emu: Emulator & { env: Record<string, string> };
  let home: string;
  before(async () => {
    emu = await emulator();
    home = await tempHome();
    // Made through the emulator itself: the stand-in answers only the later runs.
    for (const args of [['connect'], ['dataflow', 'create', '--template', 'accounts']]) {
      const r = await spawnCli([...args, '--json'], cliEnv(emu.env, home));
      assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    }
  });
  after(async () => {
    await emu.close();
    await rm(home, { recursive: true, force: true });
  });

  /** Runs the binary through a stand-in answering GET `path` with `page(n)` (n = 1, 2, …). */
  async function through(path: string, page: (n: number) => unknown, args: string[]) {
    let n = 0;
    const rule: Rule = ({ method, path: p }) => (method === 'GET' && p === path ? json(page(++n)) : undefined);
    const proxy = await startProxy(rule, emu.url);
    try {
      const fresh = await tempHome();
      try {
        const r = await spawnCli([...args, '--json'], cliEnv(emu.env, fresh, { AEP_PLATFORM_URL: proxy.url }));
        return { r, requests: proxy.seen.filter((line) => line === `GET ${path}`).length };
      } finally {
        await rm(fresh, { recursive: true, force: true });
      }
    } finally {
      await proxy.close();
    }
  }

  test('Schema Registry answering the same _page.next forever: dataflow create stops at page 2, exit 1', async () => {
    const { r, requests } = await through(
      SCHEMAS,
      () => ({ results: [], _page: { orderby: 'title', next: 'Zoho', count: 0 }, _links: { next: null } }),
      ['dataflow', 'create', '--template', 'accounts'],
    );
    assert.equal(r.exitCode, 1, r.stdout + r.stderr);
    assert.match(
      r.json().error.message,
      /^Adobe: GET \/data\/foundation\/schemaregistry\/tenant\/schemas answered page 2 with a next-page token it had already sent \('Zoho'\)/,
    );
    assert.equal(requests, 2);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  test('Schema Registry with ever new pages: dataflow create stops after 1,000 pages, exit 1', async () => {
    const { r, requests } = await through(
      SCHEMAS,
      (n) => ({
        results: [
          { $id: `https://ns.adobe.com/other/schemas/${n}`, 'meta:altId': `_other.schemas.${n}`, title: `T${n}` },
        ],
        _page: { orderby: 'title', next: `T${n}`, count: 1 },
        _links: { next: null },
      }),
      ['dataflow', 'create', '--template', 'accounts'],
    );
    assert.equal(r.exitCode, 1, r.stdout + r.stderr);
    assert.match(
      r.json().error.message,
      /tenant\/schemas kept answering with a next page for 1000 pages; aep-zoho stopped there/,
    );
    assert.equal(requests, 1000);
  });

  test('mapping sets answered the same page whatever start asks: destroy stops at page 2, exit 1, nothing deleted', async () => {
    const [set] = emu.state.mappingSets.all();
    const before = emu.state.counts();
    const { r, requests } = await through(
      MAPPING_SETS,
      () => ({
        data: [{ id: set.id, version: 0, outputSchema: set.outputSchema }],
        _page: { count: 1, limit: 100 },
        _links: { next: { href: `${MAPPING_SETS}?limit=100&start=100` } },
      }),
      ['destroy', '--yes'],
    );
    assert.equal(r.exitCode, 1, r.stdout + r.stderr);
    assert.match(
      r.json().error.message,
      /^Adobe: GET \/data\/foundation\/conversion\/mappingSets answered page 2 with only items of the pages before/,
    );
    assert.equal(requests, 2);
    assert.deepEqual(emu.state.counts(), before);
  });

  test('Catalog answering a full page of the same datasets whatever start asks: stopped at page 2, exit 1', async () => {
    const page = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [`ds${i}`, { name: 'Zoho CRM Accounts (aep-zoho default/accounts)' }]),
    );
    const { r, requests } = await through(DATASETS, () => page, ['dataflow', 'create', '--template', 'accounts']);
    assert.equal(r.exitCode, 1, r.stdout + r.stderr);
    assert.match(r.json().error.message, /^Adobe: GET \/data\/foundation\/catalog\/dataSets answered page 2/);
    assert.equal(requests, 2);
  });
});
