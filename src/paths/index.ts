// A path is how Zoho records reach AEP: Adobe's Zoho CRM source (`zoho-source`), or aep-zoho reading
// Zoho and posting to an HTTP API streaming source (`http-api`). Chosen once (config/settings.ts
// `resolveVia`); every command then asks the path object what differs, and nothing else names a path.
import type { ExploreColumn, ExploreTableDetail, FlowResource, FlowService } from '../aep/flow-service.js';
import type { Settings } from '../config/settings.js';
import type { Via } from '../config/state.js';
import type { Schedule } from '../converge/desire.js';
import type { TableRef } from '../converge/tables.js';
import type { Actual, Desired, Ref, Step } from '../converge/types.js';
import type { Context, Logger } from '../core/context.js';
import type { LoadedTemplate, Template, TemplateMapping } from '../template/types.js';
import type { Check } from '../tasks/doctor.js';
import type { Session } from '../tasks/session.js';
import { httpApi } from './http-api.js';
import { zohoSource } from './zoho-source.js';

/** Words the output uses for a path (kept byte for byte: tests and scripts read them). */
export interface PathNames {
  /** The source, as doctor names its check. */
  source: 'Zoho CRM source' | 'HTTP API source';
  /** Its base connection: "no Zoho CRM base connection". */
  connection: string;
  /** What selects it on a command line: '' (the default) or ' --via http-api'. */
  flag: string;
  /** What its tables are called in progress lines. */
  tables: string;
  /** Its flow spec in progress lines. */
  flowSpec: string;
  /** The hint when the profile has no base connection on this path yet. */
  connectFirst: string;
  /** explore's note under the table list: where the tables came from. */
  listed(count: number, connectionId: string): string;
  /** After a table's column count in explore: where the columns were read ('' through Adobe). */
  columnsFrom: string;
}

/**
 * How a path reads the CRM's tables: Adobe's explore on the base connection, or Zoho's own REST API.
 * The base connection's id is asked for, not given: Adobe's explore waits for it, Zoho's API never
 * does, so the lookup of the connection and the reading of Zoho run side by side on http-api.
 */
export interface TableReader {
  /** Every table, sorted by name. `cached`: the listing the state file keeps for that connection will do. */
  tables(connectionId: () => Promise<string>, options?: { cached?: boolean }): Promise<TableRef[]>;
  /** A table typed by the user (name or path, any case), from the cached listing when it knows it. */
  resolve(connectionId: () => Promise<string>, input: string): Promise<TableRef>;
  /** A table's columns, and with `preview` its first rows (up to `limit`). */
  read(
    connectionId: () => Promise<string | undefined>,
    table: TableRef,
    preview: boolean,
    limit: number,
  ): Promise<ExploreTableDetail>;
}

/** What a path's source connection and flow bodies are made from (desire.ts fills them in). */
export interface FlowFacts {
  profile: string;
  template: Template;
  /** The deterministic names desire.ts gives the template's resources (resourceNames). */
  names: { sourceConnection: string; flow: string; dataset: string };
  table: { name: string; path: string };
  /** The base connection's id, or a Ref to the one this run makes. */
  connection: string | Ref;
  flowSpecId: string;
  schedule: Schedule;
  explicitStart: boolean;
  sourceConnectionId: Ref;
  targetConnectionId: Ref;
  /** The Mapping transformation (every flow of ours has one). */
  mapping: Record<string, unknown>;
}

/** What `dataflow create` applied, for the path's own bookkeeping. */
export interface Applied {
  connection: Actual;
  templates: Array<{
    template: Template;
    /** The table read (Zoho's module on the http-api path). */
    table: TableRef;
    columns: ExploreColumn[];
    mappings: TemplateMapping[];
    flowId: string;
    datasetId: string;
  }>;
  steps: Step[];
}

export interface SourcePath {
  via: Via;
  /** Its dataflows are streaming: no schedule of Adobe's; `sync` posts their records. */
  streaming: boolean;
  names: PathNames;
  /** The base connection's spec. */
  connectionSpec: { id: string; version: string };
  /** Adobe's flow spec for its dataflows, checked (observe asks once per run). */
  flowSpec(flow: FlowService, log: Logger): Promise<FlowResource>;
  /** A flow made on this path (by its flow spec). */
  ownsFlow(flow: FlowResource): boolean;

  // --- connect and doctor: the credentials it needs, how its connection is made and verified
  requireCredentials(settings: Settings): unknown;
  /** The base connection's desired body (connect). */
  desireConnection(settings: Settings, name: string, options: { updateCredentials: boolean }): Desired;
  /** Run alongside the connection lookup: Adobe offers the source (and, on http-api, aep-zoho reads Zoho). */
  check: { title: string; run(ctx: Context, session: Session): Promise<{ zohoModules?: number }> };
  /** A connection found by our name is one this path can use, or a plain error. */
  checkFound(existing: Actual, name: string): void;
  /** After the apply: the connection works. */
  verify: {
    title: string;
    run(
      ctx: Context,
      session: Session,
      connectionId: string,
      name: string,
    ): Promise<{ title: string; inletUrl?: string }>;
  };
  doctor: {
    credentials(settings: Settings): Check;
    /** `zohoOffered`: the Zoho CRM connection spec answered (doctor's first Platform call). */
    source(session: Session, zohoOffered: boolean | undefined): Promise<Check>;
    connection(ctx: Context, session: Session, found: Actual, name: string): Promise<Check[]>;
  };

  // --- explore and dataflow create: how tables and columns are read
  /** The options `explore` takes on this path, checked before anything is sent. */
  checkExplore(options: { connection?: string }): void;
  reader(ctx: Context, session: Session): Promise<TableReader>;

  // --- dataflow create
  /** A template's schedule (the command line's over the template's), checked; undefined: its flows take none. */
  schedule(loaded: LoadedTemplate, given: Partial<Schedule> | undefined, startTime: number): Schedule | undefined;
  desireSource(f: FlowFacts): Record<string, unknown>;
  desireFlow(f: FlowFacts): { body: Record<string, unknown>; facts?: Record<string, unknown> };
  /** After the apply: what the path keeps for later commands (http-api: what `sync` feeds). */
  afterApply(ctx: Context, session: Session, applied: Applied): Promise<void>;
}

export const PATHS = { 'zoho-source': zohoSource, 'http-api': httpApi } satisfies Record<Via, SourcePath>;

/** The path a flow was made on, by its flow spec; undefined for a flow of neither. */
export const pathOfFlow = (flow: FlowResource): SourcePath | undefined =>
  Object.values(PATHS).find((path) => path.ownsFlow(flow));
