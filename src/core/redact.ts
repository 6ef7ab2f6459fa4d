// The one redaction mechanism: every line the CLI prints, every error, every plan and every state
// file goes through redact(). Secrets are registered as soon as they are read (credentials store,
// environment, token responses); token-shaped strings are masked even when never registered.

const secrets = new Set<string>();
/** The secrets, longest first, so a secret that contains another is masked whole. */
let ordered: string[] = [];
const MASK = '***';

/** Remembers a secret so that no later output shows it. Values shorter than 4 chars are ignored (too common). */
export function addSecret(value: string | undefined | null): void {
  if (!value || value.trim().length < 4 || secrets.has(value.trim())) return;
  secrets.add(value.trim());
  ordered = [...secrets].sort((a, b) => b.length - a.length);
}

const PATTERNS: Array<[RegExp, string]> = [
  [/\b(bearer|Zoho-oauthtoken)\s+[A-Za-z0-9._~+/-]{8,}=*/gi, `$1 ${MASK}`],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, MASK], // JWTs (IMS access tokens)
  [/\b1000\.[a-f0-9]{16,}\.[a-f0-9]{16,}\b/g, MASK], // Zoho access, refresh and grant tokens
  // Not JSON's true/false/null: `"clientSecret": true` (a "secret is stored" flag) must stay valid JSON.
  [
    /((?:client_secret|clientSecret|access_token|accessToken|refresh_token|refreshToken)["']?\s*[:=]\s*["']?)(?!\*\*\*|(?:true|false|null)\b)[^\s"'&,}]+/g,
    `$1${MASK}`,
  ],
];

export function redact(text: string): string {
  let out = text;
  for (const secret of ordered) out = out.split(secret).join(MASK);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Deep copy of a value with secret-named fields and registered secrets masked (for plans and --json). */
export function redactValue<T>(value: T): T {
  return JSON.parse(redact(JSON.stringify(value ?? null)), (key, v) =>
    typeof v === 'string' && SECRET_KEYS.has(key) && v ? MASK : v,
  ) as T;
}

const SECRET_KEYS = new Set([
  'clientSecret',
  'client_secret',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'authorization',
  'Authorization',
]);
