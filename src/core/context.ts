// What a command receives instead of `process`: streams, environment, flags, a logger, the clock,
// and the services (settings and clients), built lazily. Built only in cli/context.ts, the services
// in cli/services.ts: no file outside cli/ reads settings, builds a client, or touches `process`.
import type { Readable, Writable } from 'node:stream';
import type { FlowService } from '../aep/flow-service.js';
import type { InletClient } from '../aep/inlet.js';
import type { ImsAuth } from '../auth/ims.js';
import type { Settings } from '../config/settings.js';
import type { StateStore } from '../config/state.js';
import type { NetworkOptions } from '../http/client.js';
import type { Platform } from '../http/platform.js';
import type { ZohoCrm } from '../zoho/crm.js';
import type { HintFlags } from './hint.js';

export interface GlobalFlags {
  profile: string;
  sandbox?: string;
  json: boolean;
  /** No progress and no notes (--quiet). */
  quiet: boolean;
  debug: boolean;
  yes: boolean;
}

export interface Io {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  isTTY: { stdin: boolean; stdout: boolean; stderr: boolean };
  /** Terminal width for tables (80 when unknown). */
  columns: number;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** Only with --debug; always redacted. */
  debug(message: string): void;
  /** false when debug lines go nowhere (no --debug): a hot path may skip building them. Unset: they may go somewhere. */
  debugging?: boolean;
}

/** This process, as the locks under AEP_ZOHO_HOME record it (only cli/ knows `process`). */
export interface LockOwner {
  pid: number;
  /** The command words, e.g. 'aep-zoho dataflow create': never its flags, which may hold secrets. */
  command: string;
  /** Whether a process of this host still runs (a lock whose owner is gone is taken over). */
  isAlive(pid: number): boolean;
}

/**
 * Everything a command works with beyond the context itself (gh's Factory), built by cli/services.ts
 * once per run, each piece when first used: a command that never reads Zoho builds no Zoho reader.
 * A piece whose credentials are missing throws the UserError naming them when first used.
 */
export interface Services {
  /** Flags, environment and the stored profile, merged once (config/settings.ts). */
  readonly settings: Settings;
  /** The profile's state file, written under the run's lock owner. */
  readonly state: StateStore;
  /** Proxy, timeouts, retries, Ctrl-C and the clock: one set for every client below. */
  readonly network: NetworkOptions;
  /** The run's clock (the context's `now`), for what is built from the services alone. */
  readonly now: () => Date;
  /** Adobe IMS: the access token, cached in the credentials store (needs the Adobe credentials). */
  readonly ims: ImsAuth;
  /** The one Platform HTTP client: IMS token, sandbox, org, requests in flight. */
  readonly platform: Platform;
  /** Flow Service on that client. */
  readonly flow: FlowService;
  /** The Zoho CRM reader of the http-api path (needs the Zoho credentials). */
  readonly zoho: ZohoCrm;
  /** The HTTP API streaming inlet's client, `maxInFlight` posts at once (one per value asked). */
  inlet(maxInFlight: number): InletClient;
}

/** What may change the services of one call: `--region` of the zoho commands picks Zoho's accounts server. */
export interface ServicesOptions {
  region?: string;
}

export interface Context {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly io: Io;
  readonly flags: GlobalFlags;
  /** Colour on stderr (progress, logs, prompts); stdout decides its own. */
  readonly color: boolean;
  /** The --profile/--sandbox given on the command line, for commands suggested in messages. */
  readonly hintFlags: HintFlags;
  /** A terminal on stdin and stderr: questions can be asked. */
  readonly canPrompt: boolean;
  readonly log: Logger;
  /** Aborted on SIGINT/SIGTERM; long operations check it. */
  readonly signal: AbortSignal;
  /** The clock: every time a command reads or waits comes from here (tests may move it). */
  readonly now: () => Date;
  readonly lockOwner: LockOwner;
  sleep(ms: number): Promise<void>;
  /** The run's services, built once (once per `region`) and lazily; rejects when the settings are invalid. */
  services(options?: ServicesOptions): Promise<Services>;
  /** Asks on a TTY; without one (or with --yes) returns the default or fails with a UsageError naming the flag. */
  confirm(question: string, flagHint: string): Promise<boolean>;
  ask(question: string, options?: { secret?: boolean }): Promise<string>;
}
