// What AEP makes of streaming records: Catalog batches (catalog.yaml `listBatches`,
// `retrieveBatch`) and Data Access's failed files. Streaming ingestion writes what the inlets
// received into batches of the target dataset ("All data that is sent to Platform (successfully or
// otherwise) is stored as batch files before being persisted in datasets", streaming-ingestion/
// troubleshooting.md); a record whose values break the XDM type of its destination fails
// validation and lands in the batch's failed files (asynchronous validation, http.md). Sources:
// aep-fallback.md §1.8, §5.3; https://experienceleague.adobe.com/en/docs/experience-platform/ingestion/quality/error-diagnostics
// (the batch body, `metrics`, `errors`); help/ingestion/quality/retrieve-failed-batches.md (the
// `…/failed` listing and `?path=` rows with `_validationErrors`).
//
// The model: the records that reached a dataset within one window of `ingestionBatchMs` (default
// one minute; Adobe does not publish its own) make one batch, `processing` until the window has
// closed, then `success` (some or all ingested) or `failed` (none). Records dropped in the
// ingestion pause make none. Whether Adobe's failed rows carry the raw source record for a mapped
// raw flow is not documented (aep-fallback.md §5.3, UNVERIFIED): here they do, so a client can
// name the Zoho id. Batches are computed from the received records on each request, on the
// emulator's clock, so tests move time instead of waiting.
import { createHash } from 'node:crypto';
import { problem } from '../adobe-errors.js';
import type { Caller, EmuRequest, Router } from '../router.js';
import type { StreamedRecord } from '../state.js';
import type { ServiceContext } from './context.js';

const CATALOG = '/data/foundation/catalog';
const EXPORT = '/data/foundation/export';
/** One window of records per streaming batch, unless the options say otherwise. */
export const INGESTION_BATCH_MS = 60_000;
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;

interface Batch {
  id: string;
  dataSetId: string;
  created: number;
  closes: number;
  records: StreamedRecord[];
}

const badRequest = (req: EmuRequest, message: string) =>
  problem(400, 'Bad Request', message, req.requestId, 'http://ns.adobe.com/aep/errors/CAT-1001-400');

export function registerBatches(router: Router, ctx: ServiceContext): void {
  const { state } = ctx;
  const windowMs = () => Math.max(1, ctx.options.ingestionBatchMs ?? INGESTION_BATCH_MS);

  /** The caller's streaming batches, oldest first. */
  const batchesOf = (caller: Caller): Batch[] => {
    const visible = new Set(
      state.dataSets
        .all()
        .filter((ds) => ds.imsOrgId === caller.orgId && ds.sandboxName === caller.sandbox)
        .map((ds) => ds.id),
    );
    // A batch opens with the first record that reaches a dataset and takes what arrives within
    // its window (not windows on the clock's minutes, which would split one pass at a boundary).
    const open = new Map<string, Batch>();
    const all: Batch[] = [];
    for (const record of [...state.streamed].sort((a, b) => a.receivedTimeMs - b.receivedTimeMs)) {
      if (!visible.has(record.dataSetId)) continue;
      let batch = open.get(record.dataSetId);
      if (!batch || record.receivedTimeMs >= batch.closes) {
        const key = `${record.dataSetId}/${record.receivedTimeMs}`;
        batch = {
          id: batchId(record.receivedTimeMs, key),
          dataSetId: record.dataSetId,
          created: record.receivedTimeMs,
          closes: record.receivedTimeMs + windowMs(),
          records: [],
        };
        open.set(record.dataSetId, batch);
        all.push(batch);
      }
      batch.records.push(record);
    }
    const byKey = new Map(all.map((batch) => [batch.id, batch]));
    return [...byKey.values()].sort((a, b) => a.created - b.created);
  };

  const present = (batch: Batch, caller: Caller): Record<string, unknown> => {
    const now = ctx.now();
    const done = now >= batch.closes;
    const failed = batch.records.filter((r) => r.errors).length;
    const total = batch.records.length;
    const base = {
      id: batch.id,
      externalId: batch.id,
      imsOrg: caller.orgId,
      created: batch.created,
      createdClient: 'acp_streaming_ingestion',
      createdUser: 'acp_streaming_ingestion@AdobeID',
      updatedUser: 'acp_streaming_ingestion@AdobeID',
      updated: done ? batch.closes : batch.created,
      version: '1.0.0',
      relatedObjects: [{ type: 'dataSet', id: batch.dataSetId }],
      tags: {},
      inputFormat: { format: 'json' },
    };
    if (!done) return { ...base, status: 'processing', started: batch.created };
    return {
      ...base,
      status: failed === total ? 'failed' : 'success',
      started: batch.created,
      completed: batch.closes,
      recordCount: total,
      failedRecordCount: failed,
      metrics: { inputRecordCount: total, outputRecordCount: total - failed, failedRecordCount: failed },
      ...(failed
        ? {
            errors: [
              {
                code: 'INGEST-1212-400',
                description: `Encountered ${failed} errors in the data. Successfully ingested ${total - failed} rows. Please review the associated diagnostic files for more details.`,
              },
            ],
          }
        : {}),
    };
  };

  router.on('GET', `${CATALOG}/batches`, (req) => {
    const limitText = req.query.get('limit');
    const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      return badRequest(req, `Invalid limit '${limitText}'. The limit must be an integer from 1 to ${MAX_LIMIT}.`);
    const startText = req.query.get('start');
    const start = startText === null ? 0 : Number(startText);
    if (!Number.isInteger(start) || start < 0)
      return badRequest(req, `Invalid start '${startText}'. The start must be a non-negative integer.`);
    const numbers: Record<string, number | undefined> = {};
    for (const name of ['createdAfter', 'createdBefore']) {
      const text = req.query.get(name);
      if (text === null) continue;
      if (!/^\d+$/.test(text)) return badRequest(req, `Invalid ${name} '${text}': a Unix time in milliseconds.`);
      numbers[name] = Number(text);
    }
    const orderBy = req.query.get('orderBy');
    const order = orderBy ? /^(?:(asc|desc):)?(created|updated)$/.exec(orderBy) : undefined;
    if (orderBy && !order)
      return badRequest(req, `Invalid orderBy '${orderBy}'. Use e.g. asc:created or desc:created.`);
    const dataSet = req.query.get('dataSet');
    const status = req.query.get('status');
    let items = batchesOf(req.caller!)
      .filter((b) => !dataSet || b.dataSetId === dataSet)
      // "Exclusively filter records created after this timestamp" (catalog.yaml).
      .filter((b) => numbers.createdAfter === undefined || b.created > numbers.createdAfter)
      .filter((b) => numbers.createdBefore === undefined || b.created < numbers.createdBefore)
      .map((b) => present(b, req.caller!))
      .filter((b) => !status || b.status === status);
    if (order) {
      const field = order[2];
      const sign = order[1] === 'desc' ? -1 : 1;
      items = items.sort((a, b) => (Number(a[field]) - Number(b[field])) * sign);
    }
    const page = items.slice(start, start + limit);
    return { status: 200, body: Object.fromEntries(page.map((b) => [b.id as string, b])) };
  });

  router.on('GET', `${CATALOG}/batches/:id`, (req) => {
    const batch = batchesOf(req.caller!).find((b) => b.id === req.params.id);
    if (!batch)
      return problem(
        404,
        'Not Found',
        `Batch ${req.params.id} was not found.`,
        req.requestId,
        'http://ns.adobe.com/aep/errors/CAT-1012-404',
      );
    return { status: 200, body: { [batch.id]: present(batch, req.caller!) } };
  });

  // Data Access: the failed files of a batch, then one file's rows (retrieve-failed-batches.md).
  router.on('GET', `${EXPORT}/batches/:id/failed`, (req) => {
    const batch = batchesOf(req.caller!).find((b) => b.id === req.params.id);
    if (!batch || ctx.now() < batch.closes)
      return problem(404, 'Not Found', `Batch ${req.params.id} has no failed files.`, req.requestId);
    const failed = batch.records.filter((r) => r.errors);
    const file = `part-00000-${createHash('sha1').update(batch.id).digest('hex').slice(0, 32)}-c000.json`;
    const rows = failed.map((record) => JSON.stringify(failedRow(record))).join('\n');
    const path = req.query.get('path');
    if (path === null) {
      const entry = (name: string, length: number) => ({
        name,
        length: String(length),
        _links: {
          self: {
            href: `https://platform.adobe.io:443/data/foundation/export/batches/${batch.id}/failed?path=${name}`,
          },
        },
      });
      const data = [entry('_SUCCESS', 0), ...(failed.length ? [entry(file, Buffer.byteLength(rows))] : [])];
      return { status: 200, body: { data, _page: { limit: 100, count: data.length } } };
    }
    if (path === '_SUCCESS') return { status: 200, body: '', raw: true };
    if (path !== file || !failed.length)
      return problem(404, 'Not Found', `No file '${path}' in the failed files of batch ${batch.id}.`, req.requestId);
    // One JSON row per line, as the part files are written.
    return { status: 200, body: rows, raw: true, headers: { 'content-type': 'application/json' } };
  });
}

/** A failed row: the record as received, and why it failed validation (`_validationErrors`). */
function failedRow(record: StreamedRecord): Record<string, unknown> {
  const raw = record.raw && typeof record.raw === 'object' ? (record.raw as Record<string, unknown>) : {};
  return {
    ...raw,
    _validationErrors: (record.errors ?? []).map((error) => {
      const destination = String(error.destination ?? '');
      const pointer = `#/${destination.split('.').join('/')}`;
      return {
        causingExceptions: [],
        keyword: 'type',
        message: String(error.exception ?? error.message ?? 'The value does not match the XDM type of its field.'),
        pointerToViolation: pointer,
        schemaLocation: `#/properties/${destination.split('.').join('/properties/')}`,
      };
    }),
  };
}

/** A streaming batch id in Adobe's ULID style (26 characters of Crockford base32), stable for a window. */
function batchId(time: number, key: string): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let head = '';
  let t = time;
  for (let i = 0; i < 10; i++) {
    head = alphabet[t % 32] + head;
    t = Math.floor(t / 32);
  }
  const hash = createHash('sha1').update(key).digest();
  let tail = '';
  for (let i = 0; i < 16; i++) tail += alphabet[hash[i] % 32];
  return head + tail;
}
