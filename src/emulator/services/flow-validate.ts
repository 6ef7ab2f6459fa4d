// Checks a dataflow's parts the way Flow Service does on create and PATCH (aep-api.md §8.1–8.2):
// the connections against the flow spec, `scheduleParams` against the flow spec's scheduleSpec
// (a JSON schema with if/then/else on frequency), and each transformation against its spec and
// the resources it names (mapping set and its schema, the delta column in the source table).
import type { EmuRequest } from '../router.js';
import type { FlowSpec } from '../flow-specs-data.js';
import { ZOHO_SPEC_ID } from '../specs-data.js';
import type { EmulatorState, Resource } from '../state.js';
import { findTable } from '../zoho-crm.js';
import { find } from './flow-common.js';

/** A rejection: Adobe's FLOW error code (status 400) and its message. */
export interface Problem {
  code: string;
  message: string;
}

const invalid = (message: string, code = '1100'): Problem => ({ code, message });

export interface Schedule {
  startTime: number;
  frequency: string;
  interval?: string;
  backfill?: boolean;
}

/** Milliseconds per unit of each recurring frequency. */
export const FREQUENCY_MS: Record<string, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

/** An integer, or a string of digits (Adobe's docs send strings; the spec says integer). */
function wholeNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/**
 * Validates scheduleParams against the flow spec's scheduleSpec and normalises them to the
 * types of the spec's ScheduleSpecDTO: startTime integer, interval string, backfill boolean.
 */
export function checkSchedule(input: unknown, flowSpec: FlowSpec): { schedule: Schedule } | Problem {
  const spec = flowSpec.scheduleSpec?.spec ?? {};
  const params = input as Record<string, unknown>;
  if (!params || typeof params !== 'object' || Array.isArray(params))
    return invalid('scheduleParams must be an object.');
  for (const key of spec.required ?? []) {
    if (params[key] === undefined || params[key] === null || params[key] === '')
      return invalid(`scheduleParams.${key} is required.`);
  }
  const startTime = wholeNumber(params.startTime);
  if (startTime === undefined)
    return invalid(
      `scheduleParams.startTime must be an epoch time in seconds (an integer), not ${JSON.stringify(params.startTime)}.`,
    );
  const frequencies: string[] = spec.properties?.frequency?.enum ?? [];
  const frequency = params.frequency;
  if (typeof frequency !== 'string' || !frequencies.includes(frequency)) {
    return invalid(
      `scheduleParams.frequency must be one of ${frequencies.join(', ')}, not ${JSON.stringify(frequency)}.`,
    );
  }
  // if frequency is 'once' (the spec's `if`): neither interval nor backfill may be given.
  if (frequency === spec.if?.properties?.frequency?.const) {
    const extra = ['interval', 'backfill'].filter((key) => params[key] !== undefined);
    if (extra.length)
      return invalid(`scheduleParams.${extra.join(' and ')} must not be set when frequency is '${frequency}'.`);
    return { schedule: { startTime, frequency } };
  }
  // else: interval is required, with a minimum that depends on the frequency.
  const otherwise = spec.else ?? {};
  if (params.interval === undefined)
    return invalid(`scheduleParams.interval is required when frequency is '${frequency}'.`);
  const interval = wholeNumber(params.interval);
  const branch = frequency === otherwise.if?.properties?.frequency?.const ? otherwise.then : otherwise.else;
  const minimum = Number(branch?.properties?.interval?.minimum ?? 1);
  if (interval === undefined)
    return invalid(`scheduleParams.interval must be a whole number, not ${JSON.stringify(params.interval)}.`);
  if (interval < minimum)
    return invalid(
      `scheduleParams.interval must be at least ${minimum} when frequency is '${frequency}'; got ${interval}.`,
    );
  const schedule: Schedule = { startTime, frequency, interval: String(interval) };
  if (params.backfill !== undefined) {
    // The spec types backfill as boolean; Adobe's template sends "true".
    const backfill = params.backfill === 'true' ? true : params.backfill === 'false' ? false : params.backfill;
    if (typeof backfill !== 'boolean')
      return invalid(`scheduleParams.backfill must be a boolean, not ${JSON.stringify(params.backfill)}.`);
    schedule.backfill = backfill;
  }
  return { schedule };
}

/** The source and target connections of a flow, looked up and matched against its flow spec. */
export function checkConnections(
  req: EmuRequest,
  state: EmulatorState,
  flowSpec: FlowSpec,
  body: Record<string, any>,
): { sources: Resource[]; targets: Resource[] } | Problem {
  const sources: Resource[] = [];
  const targets: Resource[] = [];
  const sides = [
    {
      key: 'sourceConnectionIds',
      kind: 'source',
      collection: state.sourceConnections,
      allowed: flowSpec.sourceConnectionSpecIds,
      into: sources,
    },
    {
      key: 'targetConnectionIds',
      kind: 'target',
      collection: state.targetConnections,
      allowed: flowSpec.targetConnectionSpecIds,
      into: targets,
    },
  ] as const;
  for (const side of sides) {
    const ids = body[side.key];
    if (!Array.isArray(ids) || !ids.length || ids.some((id) => typeof id !== 'string'))
      return invalid(`${side.key} is required: an array of ${side.kind} connection ids.`);
    for (const id of ids as string[]) {
      const connection = find(req, side.collection, id);
      if (!connection)
        return invalid(
          `The ${side.kind} connection ${id} was not found. Verify the ${side.kind} connection id and try again.`,
        );
      if (!side.allowed.includes(connection.connectionSpec?.id)) {
        return invalid(
          `The ${side.kind} connection ${id} uses connection spec ${connection.connectionSpec?.id}, which flow spec ${flowSpec.id} (${flowSpec.name}) does not support. The spec ID provided is invalid.`,
          '1413',
        );
      }
      side.into.push(connection);
    }
  }
  return { sources, targets };
}

/**
 * Checks each transformation against the flow spec's transformationSpec and what it references.
 * Returns the transformations as Adobe stores them (mappingVersion as a string).
 */
export function checkTransformations(
  req: EmuRequest,
  state: EmulatorState,
  flowSpec: FlowSpec,
  input: unknown,
  sources: Resource[],
  targets: Resource[],
): { transformations: Array<Record<string, any>> } | Problem {
  if (input === undefined) return { transformations: [] };
  if (!Array.isArray(input)) return invalid('transformations must be an array.');
  const specs: Array<{ name: string; spec: Record<string, any> }> = flowSpec.transformationSpec ?? [];
  const transformations: Array<Record<string, any>> = [];
  for (const [index, item] of input.entries()) {
    const { name, params } = (item ?? {}) as { name?: unknown; params?: unknown };
    if (typeof name !== 'string' || !params || typeof params !== 'object' || Array.isArray(params)) {
      return invalid(`transformations[${index}] needs a name and a params object.`);
    }
    const spec = specs.find((candidate) => candidate.name === name);
    if (!spec)
      return invalid(
        `Transformation '${name}' is not supported by flow spec ${flowSpec.name}; use ${specs.map((s) => `'${s.name}'`).join(' or ')}.`,
      );
    const checked =
      name === 'Mapping'
        ? checkMapping(req, state, params as Record<string, any>, targets)
        : name === 'Copy'
          ? checkCopy(params as Record<string, any>, sources)
          : { params };
    if ('code' in checked) return checked;
    transformations.push({ name, params: checked.params });
  }
  return { transformations };
}

/** Mapping: an existing mapping set and version (FLOW-1412-400) whose schema is the target's (FLOW-1425-400). */
function checkMapping(
  req: EmuRequest,
  state: EmulatorState,
  params: Record<string, any>,
  targets: Resource[],
): { params: Record<string, any> } | Problem {
  const { mappingId } = params;
  if (typeof mappingId !== 'string' || !mappingId) return invalid('The Mapping transformation needs params.mappingId.');
  const mappingSet = find(req, state.mappingSets, mappingId);
  if (!mappingSet)
    return invalid(
      `Error while validating mapping with id ${mappingId}: the mapping set was not found. Please check your mapping.`,
      '1419',
    );
  const latest = Number(mappingSet.version ?? 0);
  // The spec types mappingVersion as a string ("0"); Adobe's tutorials send 0. Absent: the latest.
  const version = params.mappingVersion === undefined ? latest : wholeNumber(params.mappingVersion);
  // Data Prep keeps every version a PUT made (GET ?version=N); one it never made does not exist.
  const stored = version === undefined || version > latest ? undefined : (mappingSet.versions?.[version] ?? mappingSet);
  if (!stored) {
    return invalid(
      `Invalid Mapping Version in request: ${JSON.stringify(params.mappingVersion)} (mapping ${mappingId} is at version ${latest}). Please provide correct mapping version.`,
      '1412',
    );
  }
  const mappingSchema = stored.outputSchema?.schemaRef?.id ?? stored.xdmSchema;
  for (const target of targets) {
    if (target.data?.schema?.id !== mappingSchema) {
      return invalid(
        `Error while matching schema in target dataset ${target.params?.dataSetId} with schema in mapping ${mappingId}. Schema with same id and version must be used in both mapping and target dataset.`,
        '1425',
      );
    }
  }
  return { params: { ...params, mappingId, mappingVersion: String(version) } };
}

/** Copy: `deltaColumn.name` is required and must be a column of the source table. */
function checkCopy(params: Record<string, any>, sources: Resource[]): { params: Record<string, any> } | Problem {
  const column = params.deltaColumn;
  if (!column || typeof column !== 'object' || typeof column.name !== 'string' || !column.name) {
    return invalid('The Copy transformation needs params.deltaColumn with a name.');
  }
  for (const source of sources) {
    if (source.connectionSpec?.id !== ZOHO_SPEC_ID) continue;
    const table = findTable(source.params?.tableName);
    if (table && !table.columns.some((candidate) => candidate.name === column.name)) {
      return invalid(`The delta column '${column.name}' is not a column of table '${table.path}'.`);
    }
  }
  return { params };
}
