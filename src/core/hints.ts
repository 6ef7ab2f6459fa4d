// The hints aep-zoho prints under an error (and doctor's fixes): what to do next, in one paragraph.
// They live here, one entry per situation, each a function of what it names, so the same advice
// reads the same wherever it is given and the code that throws stays short. `para` joins each
// template's lines into one paragraph: tests match on the printed text, so an edit here is a
// change of what users read.
import { para } from './text.js';

/** Hints for an HTTP status of the Platform API (Adobe's gateway and its services). */
const PLATFORM_STATUS: Record<number, string> = {
  400: 'The platform rejected the request; the message above names the field. Re-run with --debug to see the request.',
  401: "Adobe did not accept the access token: check AEP_CLIENT_ID and AEP_ORG_ID (or run 'aep-zoho auth status').",
  // Adobe now grants API credentials access through roles (Permissions > Roles > API credentials), not product
  // profiles.
  403: para`The credential lacks permission: in Adobe Experience Platform, Permissions > Roles, add the credential under
    the role's API credentials tab, with the Sources, Datasets and Schemas permissions for this sandbox (the project in
    Adobe Developer Console must have the Experience Platform API).`,
  404: 'The resource does not exist (any more). If it was deleted outside aep-zoho, re-run the command to recreate it.',
  409: 'A resource with that name already exists; re-run the command to adopt it.',
  412: 'Someone else changed the resource meanwhile; re-run the command to use its current version.',
  429: 'Adobe is throttling requests; wait a minute and re-run (re-running is safe: nothing is duplicated).',
};

const ZOHO_GRANT = "'aep-zoho zoho token --grant-token <code> --region <dc>'";

export const HINTS = {
  // ── A Platform call that failed (http/api-error.ts) ──
  /** An HTML page where JSON was expected: not Adobe answering. */
  platformNotApi: () =>
    para`Something other than the Platform API answered (a proxy, firewall or captive portal): check AEP_PLATFORM_URL
      (default https://platform.adobe.io) and your HTTPS proxy settings. Re-running is safe.`,
  /** A body that is not JSON and not a page: cut off on the way. */
  platformCorrupt: () =>
    para`The response was cut off or corrupted on the way; re-run the command (re-running is safe). If it persists,
      check AEP_PLATFORM_URL and any proxy in between.`,
  platformSandbox: (sandbox: string) =>
    `Check the sandbox name ('${sandbox}'): pass --sandbox or set AEP_SANDBOX to a sandbox of your organization.`,
  /** The gateway's "Profile is not valid" (403025): the x-gw-ims-org-id is not the credential's org. */
  platformOrg: () =>
    para`The org id is not the credential's organization: set AEP_ORG_ID (or init --org-id) to the Organization ID
      shown on the credential in Adobe Developer Console (…@AdobeOrg).`,
  platformStatus: (status: number | undefined): string | undefined =>
    status === undefined
      ? undefined
      : (PLATFORM_STATUS[status] ??
        (status >= 500
          ? 'Adobe had a server error; re-run the command later (re-running is safe: nothing is duplicated).'
          : undefined)),
  /** A 414 or 431: `what` names the longest part of the URL. */
  longUrl: (length: number, what: string) =>
    para`The request URL is ${length} characters long, more than the server accepts; most of it is ${what}. Use a
      shorter name (--name, or the names in the template), a few hundred characters at most.`,

  // ── No answer at all (http/api-error.ts, http/client.ts); `variable` is the setting naming the server ──
  tlsCertificate: (variable: string) =>
    para`This is a certificate problem, not a credential one. Behind a corporate proxy or firewall that inspects HTTPS,
      point NODE_EXTRA_CA_CERTS at its CA certificate (a PEM file) and run again. Otherwise check ${variable}: the host
      must present a valid certificate for its name.`,
  proxyCredentials: (proxyVariable: string) =>
    para`The proxy wants credentials: give them in ${proxyVariable}, as http://user:password@host:port (they are
      masked in every output).`,
  proxyRefused: (host: string, variable: string) =>
    `Check that the proxy allows connections to ${host} (or list the host in NO_PROXY), and ${variable}.`,
  proxyDown: (proxy: string, host: string, variable: string) =>
    para`Check that the proxy ${proxy} is running and allows ${host} (or list the host in NO_PROXY), and ${variable}
      if you point aep-zoho at another server. Re-running is safe.`,
  networkDown: (variable: string, timedOut: boolean) =>
    para`Check your network, and ${variable} if you point aep-zoho at another
      server${timedOut ? ' (AEP_ZOHO_TIMEOUT_MS raises the per-attempt timeout)' : ''}. Behind a proxy, set
      HTTPS_PROXY. Re-running is safe.`,
  /** A redirect aep-zoho refused to follow; `sentTo` is where nothing was sent. */
  redirect: (service: string, variable: string, sentTo: string) =>
    para`Check ${variable}: it must name ${service} itself (no other host answers for it), and any proxy or gateway in
      between that rewrites answers. Nothing was sent to ${sentTo}.`,
  notTheService: (service: string, variable: string) =>
    `Something other than ${service} may be answering: check ${variable} and any proxy in between. Re-running is safe.`,

  // ── Credentials and settings (config/) ──
  aepCredentials: (missing: string[]) =>
    para`Run 'aep-zoho init' (or 'aep-zoho init --from-console <file>' with the OAuth Server-to-Server JSON from Adobe
      Developer Console), or set ${missing.join(', ')}.`,
  zohoCredentials: (missing: string[]) =>
    `Exchange a grant token with ${ZOHO_GRANT} (see 'aep-zoho zoho authorize-url'), or set ${missing.join(', ')}.`,
  via: () =>
    para`zoho-source: Adobe's Zoho CRM source reads Zoho on a schedule; http-api: aep-zoho reads Zoho and posts to an
      HTTP API streaming source when 'aep-zoho sync' runs.`,
  lockHeld: (pid: number, path: string) =>
    para`Let it finish, then run the command again (AEP_ZOHO_LOCK_WAIT_MS waits longer). If no aep-zoho is running any
      more (pid ${pid} may now be another program), delete ${path}.`,

  /** A settings or state file that is not the JSON object it should be. */
  fixOrDeleteFile: () => 'Fix or delete the file; it is rewritten by the next command that saves it.',

  // ── The Zoho CRM source (paths/zoho-source.ts) ──
  /** Where a user goes when Adobe's Zoho source is gone: the other path, by its exact command. */
  zohoRetired: () =>
    para`Adobe retired the Zoho CRM source at the end of June 2025, and this organization no longer offers it; existing
      dataflows may keep running. Carry the data through Adobe's HTTP API streaming source instead, which aep-zoho
      feeds itself: run 'aep-zoho connect --via http-api'.`,
  notAepGateway: () =>
    para`Check AEP_PLATFORM_URL (default https://platform.adobe.io, without a path) and any proxy in between
      (HTTPS_PROXY): their 404 page reads like a missing spec.`,
  /** Adobe's connection test failed: the tokens, or Zoho's IP allow list. */
  zohoConnectionTest: () =>
    para`The Zoho tokens may be revoked or from another data centre: get new ones with 'aep-zoho zoho token' (it asks
      for the code and remembers the region), then run 'aep-zoho connect --update-credentials'. Also check that a
      Zoho admin allows Adobe's IP ranges ('aep-zoho allowlist').`,
  /** doctor's fix for the same failure. */
  zohoNewTokens: () =>
    para`Get new Zoho tokens (${ZOHO_GRANT}), then 'aep-zoho connect --update-credentials'; a Zoho admin must also
      allow Adobe's IP ranges ('aep-zoho allowlist').`,
  allowlistReminder: () =>
    para`Reminder: a Zoho CRM admin must allow Adobe's source IP ranges for your AEP region ('aep-zoho allowlist
      --region <va7|nld2|aus5|can2>', or connect --aep-region).`,

  // ── The HTTP API path (paths/http-api.ts) ──
  inletMissing: () =>
    para`Run 'aep-zoho connect --via http-api' again in a minute; if it persists, check the connection in Sources >
      Accounts > HTTP API in the Experience Platform UI.`,
  streamingConnectionName: () =>
    para`Pick another name with 'aep-zoho connect --via http-api --name <name>', or delete that connection in the
      Experience Platform UI (Sources > Accounts) and run connect again.`,

  // ── Dataflows and templates (tasks/flow-run.ts, commands/templates/) ──
  /** --timeout of `dataflow run` and `dataflow runs`. */
  duration: () => 'Use a duration such as 90s, 30m or 2h (a bare number is seconds).',
  /** Watching a run stopped (Ctrl-C, --timeout); the run itself does not. */
  runGoesOn: (flow: string) => `The run goes on in Adobe; see how it ends with 'aep-zoho dataflow runs ${flow}'.`,
  /** An on-demand run of a scheduled (not one-time) dataflow. */
  scheduledRun: (template: string) =>
    para`Its scheduled runs go on; after a mapping fix they ingest what changes from then on. To re-ingest a window on
      demand, use a dataflow made with '--frequency once' ('aep-zoho dataflow create --template ${template} --frequency
      once').`,
  builtInName: (asked: string) =>
    para`A template named '${asked}' takes over the dataflow 'dataflow create --template ${asked.toLowerCase()}' made,
      replacing its resources. Pass another --name (e.g. ${asked.toLowerCase()}-custom).`,
  xdmDestination: () =>
    para`Fix the destination, add the field group that has it to /target/schema/fieldGroups, or map it under
      _{TENANT_ID}. (the tenant field group aep-zoho makes). Checked against Adobe's XDM library
      (github.com/adobe/xdm).`,
  grantOnCommandLine: () =>
    para`The grant code was given on the command line, where other users can see it in 'ps' and your shell keeps it in
      its history. Next time pass '--grant-token -' and pipe it in (or leave --grant-token out on a terminal to be
      asked, hidden).`,
} satisfies Record<string, (...args: any[]) => string | undefined>;
