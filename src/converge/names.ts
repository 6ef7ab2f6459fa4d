// How aep-zoho names and marks what it makes: a deterministic name (a re-run, also from an empty
// home, finds it) and a marker in the description (with the name, it says "ours"). Each kind's
// `name` (kinds/*.ts) builds on these.
import { TENANT_PLACEHOLDER, type Template } from '../template/types.js';

/** What a kind's name is made from: the profile, and the template for a template's resources. */
export interface NameContext {
  profile: string;
  template?: Template;
  /** The descriptor's name names its field: the tenant, and whether a fallback class moved it. */
  tenantId?: string;
  fallback?: boolean;
}

/** The marker in the description of everything aep-zoho makes: with the name, it says "ours". */
export const marker = (profile: string, template?: string) =>
  `managed by aep-zoho ${template ? `${profile}/${template}` : profile}`;
export const described = (text: string, profile: string, template?: string) =>
  `${text.replace(/\s*\(managed by aep-zoho [^)]*\)$/, '')} (${marker(profile, template)})`;

/** Our name suffix: profile and template, so two profiles or templates never share a resource. */
export const nameSuffix = (profile: string, template: string) => ` (aep-zoho ${profile}/${template})`;

/** The template a resource of this profile belongs to (the inverse of nameSuffix, with the marker); undefined if not ours. */
export function ownerOf(resource: { name?: string; title?: string; description?: string }, profile: string) {
  const name = resource.name ?? resource.title ?? '';
  const m = /\(aep-zoho ([^/()]+)\/([^()]+)\)(?: \(replaced [^)]*\))*$/.exec(name);
  if (!m || m[1] !== profile) return undefined;
  return String(resource.description ?? '').includes(marker(profile, m[2])) ? m[2] : undefined;
}

export const defaultConnectionName = (profile: string) => `aep-zoho ${profile}`;

/** The template a kind's name is for (a template-scoped kind is always named for one). */
export function templateOf(n: NameContext): Template {
  if (!n.template) throw new Error('a template resource is named for a template');
  return n.template;
}

/** `<text> (aep-zoho <profile>/<template>)`: the name of a template's resource. */
export const suffixed = (n: NameContext, text: (template: Template) => string) => {
  const template = templateOf(n);
  return `${text(template)}${nameSuffix(n.profile, template.name)}`;
};

/** A template destination as an XDM path: the tenant filled in; with a fallback class every path moves under the tenant. */
export function xdmDestination(path: string, tenantId: string, fallback: boolean): string {
  const tenantNs = `_${tenantId}`;
  if (path.startsWith(`${TENANT_PLACEHOLDER}.`)) return `${tenantNs}${path.slice(TENANT_PLACEHOLDER.length)}`;
  return fallback ? `${tenantNs}.${path}` : path;
}
