// Zoho CRM's OAuth scopes, as its API checks them against the scopes a token was granted.
// A scope is `service.scope_name[.sub_scope].operation` (zoho.com/crm/developer/docs/api/v8/scopes.html):
// the operation ALL is "full access to the resource", so it covers READ; a scope name covers its sub-scopes
// (`ZohoCRM.modules.READ` every module, `ZohoCRM.modules.accounts.READ` one; `ZohoCRM.settings.ALL` all
// metadata, `ZohoCRM.settings.fields.READ` field metadata); `ZohoCRM.modules.custom.*` covers custom modules;
// WRITE is CREATE, UPDATE and DELETE, never READ. Names compare case-insensitively (Zoho's own OAS writes
// both `ZohoCRM.modules.ALL` and `ZohoCRM.modules.all`). A call the token's scopes do not cover is
// 401 OAUTH_SCOPE_MISMATCH "invalid oauth scope to access this URL" (zoho/crm-oas v8.0, share_records.json).
// Sources and choices: docs/zoho-rules.md, "Scopes".

interface Scope {
  path: string[];
  operation: string;
}

function parse(scope: string): Scope | undefined {
  const parts = scope.trim().toLowerCase().split('.');
  if (parts.length < 3) return undefined;
  return { path: parts.slice(0, -1), operation: parts[parts.length - 1] };
}

/** Whether a granted scope covers a needed one: the same service and scope name (or a parent), ALL or the same operation. */
function covers(granted: Scope, needed: Scope): boolean {
  if (granted.path.length > needed.path.length) return false;
  if (!granted.path.every((part, i) => part === needed.path[i])) return false;
  return granted.operation === 'all' || granted.operation === needed.operation;
}

/**
 * Whether `granted` (space- or comma-separated, as a grant names them) covers every one of `needed`,
 * where each needed entry lists alternatives (any one of them will do).
 */
export function scopesCover(granted: string, needed: string[][]): boolean {
  const have = granted
    .split(/[\s,]+/)
    .map(parse)
    .filter((scope): scope is Scope => scope !== undefined);
  return needed.every((alternatives) =>
    alternatives.some((want) => {
      const scope = parse(want);
      return scope !== undefined && have.some((g) => covers(g, scope));
    }),
  );
}

/** The scope reading a module's records needs: its own, or `custom` for a custom module. */
export function moduleReadScope(module: string, custom: boolean): string[] {
  return moduleScope(module, custom, ['READ']);
}

/** The scopes one write to a module's records takes: UPDATE or DELETE, or WRITE (all three). */
export function moduleWriteScope(module: string, custom: boolean, operation: 'UPDATE' | 'DELETE'): string[] {
  return moduleScope(module, custom, [operation, 'WRITE']);
}

/** Any one of these operations on the module (or, for a custom module, on `custom`). */
function moduleScope(module: string, custom: boolean, operations: string[]): string[] {
  return operations.flatMap((op) => [
    `ZohoCRM.modules.${module}.${op}`,
    ...(custom ? [`ZohoCRM.modules.custom.${op}`] : []),
  ]);
}

export const SETTINGS_MODULES_READ = ['ZohoCRM.settings.modules.READ'];
export const SETTINGS_FIELDS_READ = ['ZohoCRM.settings.fields.READ'];
export const COQL_READ = ['ZohoCRM.coql.READ'];
