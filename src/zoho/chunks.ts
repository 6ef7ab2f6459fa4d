// A records read of more than 50 fields (Zoho's per-call limit) as several calls merged by id:
// the first chunk of fields decides the page, the others are read for exactly its records by id,
// and a record whose Modified_Time differs between the calls changed in between (crm.ts records()).
import { SORT_FIELD } from './coql.js';

/** "you can include a maximum of 50 field API names" (get-records.html). */
export const MAX_FIELDS_PER_CALL = 50;
/** Record ids one `ids` read takes (Zoho's get-records). */
const MAX_IDS_PER_CALL = 100;

type ZohoRecord = Record<string, unknown>;

/** Chunks of at most `size` fields; with more than one chunk, each holds Modified_Time (the merge checks it). */
export function fieldChunks(fields: string[], size = MAX_FIELDS_PER_CALL): string[][] {
  if (fields.length <= size) return [fields];
  const others = fields.filter((f) => f !== SORT_FIELD);
  const chunks: string[][] = [];
  for (let i = 0; i < others.length; i += size - 1) chunks.push([SORT_FIELD, ...others.slice(i, i + size - 1)]);
  return chunks;
}

/** The page's record ids in groups of at most 100, one `ids` read each. */
export function idGroups(records: ZohoRecord[]): string[][] {
  const ids = records.map((r) => String(r.id));
  return Array.from({ length: Math.ceil(ids.length / MAX_IDS_PER_CALL) }, (_, i) =>
    ids.slice(i * MAX_IDS_PER_CALL, (i + 1) * MAX_IDS_PER_CALL),
  );
}

/**
 * Merges the other chunks' answers into the page's records, by id. A record missing from a chunk,
 * or with another Modified_Time there, changed (or was deleted) between the calls: it keeps its
 * first-chunk fields only and its id is returned, so the caller neither sends it nor moves past it.
 */
export function mergeChunks(records: ZohoRecord[], answers: Array<{ body: any }>, chunkCount: number): string[] {
  const parts = new Map<string, ZohoRecord[]>();
  for (const answer of answers)
    for (const r of Array.isArray(answer.body?.data) ? answer.body.data : [])
      parts.set(String(r.id), [...(parts.get(String(r.id)) ?? []), r]);
  const changed: string[] = [];
  for (const record of records) {
    const id = String(record.id);
    const got = parts.get(id) ?? [];
    if (got.length !== chunkCount || got.some((part) => part[SORT_FIELD] !== record[SORT_FIELD])) changed.push(id);
    else for (const part of got) Object.assign(record, part);
  }
  return changed;
}
