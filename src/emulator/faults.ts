// Fault injection for the emulator: tests make the next request (or the k-th, or the k-th that
// matches a method and path) fail the ways real networks and gateways fail, so the CLI's retry,
// create-once and re-authentication logic can be checked against each. Off unless a rule is added.
//
// Kinds:
//   status        answer `status` (429, 500, 503, …) without handling, with Retry-After if given;
//   reset         destroy the socket before handling (the service never saw the request);
//   drop          handle the request, then destroy the socket instead of answering (a create
//                 happened and the client never heard);
//   delay         wait `ms`, before handling (an abandoned request is not handled: the client gave
//                 up, the service never started) or after handling (the create happened, the
//                 answer comes too late for the client's timeout); with `until`, the wait ends
//                 when that promise settles (ms stays the upper bound): a test holds one process
//                 mid-request while another runs;
//   expire-tokens every IMS token issued so far is rejected from now on (a token that expires
//                 mid-run: the gateway answers 401 until the client fetches a new one);
//   answer        answer `status` with `body` as given (text, may be empty) and `contentType`, without
//                 handling: what a captive portal, a TLS-inspecting proxy or a load balancer in
//                 between answers in the service's place (a 200 HTML page, an empty 200, a 204).

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'reset' }
  | { kind: 'drop' }
  | { kind: 'delay'; ms: number; handle?: 'before' | 'after'; until?: Promise<unknown> }
  | { kind: 'expire-tokens' }
  | { kind: 'answer'; status: number; contentType?: string; body?: string };

export interface FaultRule {
  fault: Fault;
  /** Only requests with this method (any when absent). */
  method?: string;
  /** Only requests whose path matches: a RegExp, or a string prefix (any when absent). */
  path?: string | RegExp;
  /** Start firing at the nth request that matches method and path, counted from when the rule was added (1-based; default the first). */
  nth?: number;
  /** Start firing at the k-th request the emulator receives overall (1-based, counted from its start). */
  at?: number;
  /** How many times it fires (default 1). */
  times?: number;
  /** Called when the fault fires, before it is applied (e.g. to signal a process mid-flight). */
  onFire?: (fired: FiredFault) => void;
  /** A name for the rule in `fired` (default: the fault kind). */
  label?: string;
}

export interface FiredFault {
  /** 1-based position of the request among all the emulator received. */
  seq: number;
  method: string;
  path: string;
  kind: Fault['kind'];
  label: string;
  /** For delays before handling: the client went away during the delay, so it was never handled. */
  abandoned?: boolean;
}

interface ActiveRule extends FaultRule {
  matched: number;
  left: number;
}

export class Faults {
  private rules: ActiveRule[] = [];
  /** Requests seen so far (all of them: IMS, Zoho accounts, Platform). */
  seen = 0;
  /** Every fault that fired, in order. */
  readonly fired: FiredFault[] = [];
  /** Tokens created before this instant (ms) are rejected by the gateway; 0: none. */
  tokensIssuedBefore = 0;

  constructor(private readonly now: () => number) {}

  add(rule: FaultRule): this {
    this.rules.push({ ...rule, matched: 0, left: rule.times ?? 1 });
    return this;
  }

  /** Removes every rule (what already fired stays recorded). */
  clear(): this {
    this.rules = [];
    return this;
  }

  /** Rejects every token issued before now (a token that expired mid-run); new ones work. */
  expireTokens(): void {
    this.tokensIssuedBefore = this.now();
  }

  /** True when the gateway must treat a token with this `created_at` (ms) as expired. */
  isExpired(createdAt: number): boolean {
    return createdAt < this.tokensIssuedBefore;
  }

  /**
   * Counts the request and returns the fault to apply to it, if any. Each matching rule counts
   * the request; the first one whose turn it is fires.
   */
  next(method: string, path: string): { fired: FiredFault; fault: Fault } | undefined {
    const seq = ++this.seen;
    let chosen: ActiveRule | undefined;
    for (const rule of this.rules) {
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (
        rule.path !== undefined &&
        !(typeof rule.path === 'string' ? path.startsWith(rule.path) : rule.path.test(path))
      )
        continue;
      rule.matched++;
      if (chosen || rule.left <= 0) continue;
      if (rule.nth !== undefined && rule.matched < rule.nth) continue;
      if (rule.at !== undefined && seq < rule.at) continue;
      chosen = rule;
    }
    if (!chosen) return undefined;
    chosen.left--;
    const fired: FiredFault = { seq, method, path, kind: chosen.fault.kind, label: chosen.label ?? chosen.fault.kind };
    this.fired.push(fired);
    if (chosen.fault.kind === 'expire-tokens') this.expireTokens();
    chosen.onFire?.(fired);
    return { fired, fault: chosen.fault };
  }
}
