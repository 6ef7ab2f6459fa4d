// What AEP made of the records an http-api dataflow posted: the target dataset's batches in
// Catalog (GET /catalog/batches?dataSet=…&createdAfter=…, catalog.yaml `listBatches`) and, for a
// batch with failed records, Data Access's failed files (GET /export/batches/{id}/failed, then
// ?path=<file>: rows with `_validationErrors`). A 200 from the inlet only means "received";
// "Any malformed data that does not pass validation is sent to the Data Lake as a failed batch
// file" (http.md). Sources: aep-fallback.md §1.8, §5.3;
// https://experienceleague.adobe.com/en/docs/experience-platform/ingestion/quality/error-diagnostics
// and help/ingestion/quality/retrieve-failed-batches.md (AdobeDocs/experience-platform.en).
import { isNotFound } from '../core/errors.js';
import type { Platform, PlatformRequest } from '../http/platform.js';
import { para } from '../core/text.js';

const CATALOG = '/data/foundation/catalog';
const EXPORT = '/data/foundation/export';
const JSON_ACCEPT = { accept: 'application/json' };
/** Catalog's largest page (catalog.yaml `limit`). */
const PAGE = 100;
/** Pages of batches read at most (10,000 batches: far more than a pass makes). */
const MAX_PAGES = 100;
/** Failed records named, at most; the counts cover all. */
const MAX_ERRORS = 20;
/** Batches whose failed files are read, at most (each is one or two requests). */
const MAX_FAILED_BATCHES = 5;

/** The contract's `Ingestion` (CLI-CONTRACT.md). */
export interface Ingestion {
  /** Batches AEP made of the records since `since`. */
  batches: number;
  /** Records written to the dataset. */
  ingested: number;
  /** Records that failed validation (in failed batch files). */
  failed: number;
  /** Batches still processing (their records are counted once they finish). */
  processing: number;
  /**
   * Why records failed: each failed record's reason (naming its Zoho id when the failed file has it), or a batch's
   * error.
   */
  errors: Array<{ message: string; code?: string; recordId?: string }>;
  /** Since when (ISO): the start of the last sync pass, or a day back. */
  since: string;
  /** The batches, newest first: id, status and counts. */
  items: Array<{ id: string; status: string; created?: string; records?: number; failed?: number }>;
}

interface CatalogBatch {
  id?: string;
  status?: string;
  created?: number;
  recordCount?: number;
  failedRecordCount?: number;
  metrics?: { inputRecordCount?: number; outputRecordCount?: number; failedRecordCount?: number };
  errors?: Array<{ code?: string; description?: string; recordCount?: number }>;
}

export const ingestionRequests = {
  batches: (dataSetId: string, since: number, start: number): PlatformRequest<Record<string, CatalogBatch>> => ({
    method: 'GET',
    path: `${CATALOG}/batches`,
    query: { dataSet: dataSetId, createdAfter: since, orderBy: 'desc:created', limit: PAGE, start },
    headers: JSON_ACCEPT,
  }),
  failedFiles: (batchId: string): PlatformRequest<{ data?: Array<{ name?: string; length?: string }> }> => ({
    method: 'GET',
    path: `${EXPORT}/batches/${batchId}/failed`,
    headers: JSON_ACCEPT,
  }),
  failedFile: (batchId: string, name: string): PlatformRequest<string> => ({
    method: 'GET',
    path: `${EXPORT}/batches/${batchId}/failed`,
    query: { path: name },
    text: true,
  }),
};

/** Statuses in which a batch is not yet done (catalog.yaml's `batchResponse.status` enum). */
const UNFINISHED = new Set(['processing', 'queued', 'retrying', 'loading', 'loaded', 'staging', 'staged', 'active']);

/** The dataset's batches created after `since` (ms), and the reasons of their failed records. */
export async function readIngestion(platform: Platform, dataSetId: string, since: number): Promise<Ingestion> {
  const batches: CatalogBatch[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await platform.send(ingestionRequests.batches(dataSetId, since, page * PAGE));
    const items = Object.entries(answer ?? {}).map(([id, batch]) => ({ ...batch, id: batch?.id ?? id }));
    batches.push(...items);
    if (items.length < PAGE) break;
  }
  const result: Ingestion = {
    batches: batches.length,
    ingested: 0,
    failed: 0,
    processing: 0,
    errors: [],
    since: new Date(since).toISOString(),
    items: [],
  };
  const withFailures: CatalogBatch[] = [];
  for (const batch of batches) {
    const status = String(batch.status ?? 'unknown').toLowerCase();
    const total = batch.recordCount ?? batch.metrics?.inputRecordCount;
    let failed = batch.failedRecordCount ?? batch.metrics?.failedRecordCount;
    if (UNFINISHED.has(status)) {
      result.processing++;
    } else {
      // A failed batch without counts: all its records failed.
      if (failed === undefined && (status === 'failed' || status === 'failure')) failed = total ?? 0;
      failed ??= 0;
      result.failed += failed;
      result.ingested += batch.metrics?.outputRecordCount ?? Math.max(0, (total ?? 0) - failed);
      if (failed || status === 'failed' || status === 'failure') withFailures.push(batch);
    }
    result.items.push({
      id: String(batch.id),
      status,
      ...(batch.created ? { created: new Date(batch.created).toISOString() } : {}),
      ...(total !== undefined ? { records: total } : {}),
      ...(failed !== undefined ? { failed } : {}),
    });
  }
  for (const batch of withFailures.slice(0, MAX_FAILED_BATCHES)) {
    if (result.errors.length >= MAX_ERRORS) break;
    const named = await failedRecords(platform, String(batch.id), MAX_ERRORS - result.errors.length);
    // Without failed files (not kept, or not readable), the batch's own errors say why.
    result.errors.push(
      ...(named.length
        ? named
        : (batch.errors ?? []).map((e) => ({
            message: `Batch ${batch.id}: ${e.description ?? 'records failed'}`,
            ...(e.code ? { code: e.code } : {}),
          }))),
    );
  }
  result.errors = result.errors.slice(0, MAX_ERRORS);
  return result;
}

/** The failed rows of a batch, one error each: its reasons, and the record's Zoho id when the row carries it. */
async function failedRecords(platform: Platform, batchId: string, max: number): Promise<Ingestion['errors']> {
  let files: Array<{ name?: string; length?: string }>;
  try {
    files = (await platform.send(ingestionRequests.failedFiles(batchId)))?.data ?? [];
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  const errors: Ingestion['errors'] = [];
  for (const file of files) {
    if (!file.name || file.name === '_SUCCESS' || file.length === '0') continue;
    const text = await platform.send(ingestionRequests.failedFile(batchId, file.name));
    for (const row of rowsOf(String(text ?? ''))) {
      if (errors.length >= max) return errors;
      const reasons = Array.isArray(row._validationErrors) ? row._validationErrors : [];
      const message =
        reasons
          .map((r: { message?: string; pointerToViolation?: string }) =>
            [r.pointerToViolation, r.message].filter(Boolean).join(': '),
          )
          .join('; ') || 'The record failed validation.';
      const keyword = reasons.find((r: { keyword?: string }) => r.keyword)?.keyword;
      const id = row.id ?? row._id;
      errors.push({
        message,
        ...(keyword ? { code: String(keyword) } : {}),
        ...(typeof id === 'string' || typeof id === 'number' ? { recordId: String(id) } : {}),
      });
    }
  }
  return errors;
}

/** A failed file: one JSON row per line, or one JSON object or array. */
function rowsOf(text: string): Array<Record<string, any>> {
  const trimmed = text.trim();
  if (!trimmed) return [];
  try {
    const whole = JSON.parse(trimmed);
    return (Array.isArray(whole) ? whole : [whole]).filter((r) => r && typeof r === 'object');
  } catch {
    return trimmed.split('\n').flatMap((line) => {
      try {
        const row = JSON.parse(line);
        return row && typeof row === 'object' ? [row] : [];
      } catch {
        return [];
      }
    });
  }
}

/** One line: "3 batches: 2,470 ingested, 11 failed, 1 processing". */
export function ingestionLine(i: Ingestion): string {
  const n = (v: number) => v.toLocaleString('en-US');
  if (!i.batches)
    return para`no batch yet since ${i.since.slice(0, 16).replace('T', ' ')} UTC (streaming batches can take minutes to
      appear)`;
  const processing = i.processing ? `, ${n(i.processing)} still processing` : '';
  const batches = `${n(i.batches)} batch${i.batches === 1 ? '' : 'es'}`;
  return `${batches}: ${n(i.ingested)} ingested, ${n(i.failed)} failed${processing}`;
}

/** Each error as a line: "record 4876… : #/…/annualRevenue: Cannot convert 'lots' to number." */
export function ingestionErrorLines(i: Ingestion): string[] {
  const lines = i.errors.map((e) => `${e.recordId ? `record ${e.recordId}: ` : ''}${e.message}`);
  const named = i.errors.filter((e) => e.recordId).length;
  if (i.failed > named && named) lines.push(`… and ${i.failed - named} more failed record(s)`);
  return lines;
}

/** Batches of the last pass: created since it started (a minute earlier, for Adobe's clock), else the last day. */
export function ingestionSince(lastPassAt: string | undefined, now: number): number {
  const at = Date.parse(lastPassAt ?? '');
  return Number.isFinite(at) ? at - 60_000 : now - 24 * 3_600_000;
}
