// What every emulated service receives: the shared state, the options, and the clock.
import type { TokenSigner } from '../jwt.js';
import type { EmulatorState } from '../state.js';

export interface EmulatorOptions {
  /** Port to bind on 127.0.0.1; 0 picks a free one. */
  port?: number;
  /** Added to every response, for benchmarks of sequential round trips. */
  latencyMs?: number;
  /** When set, IMS accepts only these clients (id → secret); by default any non-empty pair. */
  imsClients?: Record<string, string>;
  /**
   * The org each IMS client belongs to (id → org id): its tokens are for that org only, and the
   * gateway refuses them with another x-gw-ims-org-id, as Adobe does (a credential lives in one org).
   */
  imsOrgs?: Record<string, string>;
  /** Lifetime of issued IMS tokens in ms (Adobe: 24 h). */
  tokenLifetimeMs?: number;
  /** Sandboxes that exist in every org (default: prod). */
  sandboxes?: string[];
  /** Connection spec ids Adobe no longer offers (Zoho CRM was retired in June 2025). */
  retiredConnectionSpecs?: string[];
  /** When set, Zoho accepts only these clients (id → secret); by default any non-empty pair. */
  zohoClients?: Record<string, string>;
  /**
   * Zoho tokens must be ones the emulated accounts server issued and has not revoked: a refresh
   * with any other refresh token is `invalid_code`, and a connection's /test passes only for such
   * tokens. Off by default, as the CLI contract says ("any non-empty Zoho client and tokens").
   */
  strictCredentials?: boolean;
  /** Lifetime of the Zoho access tokens the accounts server issues, in ms (Zoho: 1 h). */
  zohoTokenLifetimeMs?: number;
  /** How long an emulated dataflow run stays in progress (default 3000 ms). */
  runDurationMs?: number;
  /** How emulated runs end (default success); `partial`: a success in which a tenth of the records failed. */
  runOutcome?: 'success' | 'failed' | 'partial';
  /** Fault: the scheduler starts no run, so an enabled flow's due runs never come (default false). */
  stalledScheduler?: boolean;
  /** Classes the org has besides the core ones (e.g. XDM Business Account); default: all standard B2B classes. */
  hasB2BClasses?: boolean;
  /**
   * Adobe's ingestion pause: records posted to an HTTP API inlet within this many ms of their
   * streaming flow's create or update are answered 200 and dropped, never reaching the dataset
   * ("wait for a five-minute pause … to prevent any potential instances of data loss or data drops",
   * https://experienceleague.adobe.com/en/docs/experience-platform/sources/connectors/streaming/http).
   * Default 300000 (five minutes); shorter only for demos and tests.
   */
  ingestionPauseMs?: number;
  /** Streaming batches: the records reaching a dataset within one window of this many ms make one batch, processing until it closes (default 60000). */
  ingestionBatchMs?: number;
  /**
   * Fault: the origin HTTP API connections name in `auth.params.inletUrl` (default: the emulator's
   * own), so a test can have Platform's answer send the records to another host.
   */
  inletOrigin?: string;
  /** Clock, injectable so tests can move run progress and token expiry. */
  now?: () => number;
}

export interface ServiceContext {
  state: EmulatorState;
  options: EmulatorOptions;
  signer: TokenSigner;
  now: () => number;
  /** True for an IMS token created before an injected expiry (faults' expire-tokens). */
  tokenExpired?: (createdAt: number) => boolean;
}
