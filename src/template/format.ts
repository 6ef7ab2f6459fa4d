// Writes a template as people like to read it: indented JSON, but each mapping and each short
// list on one line, so the mappings read like a table (what `templates init` writes and `show` prints).
import type { Template } from './types.js';

/** One line of JSON with a space after each `:` and `,`, e.g. `{ "source": "Email", "destination": "…" }`. */
function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length ? `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }` : '{}';
  }
  return JSON.stringify(value);
}

function block(value: unknown, indent: string, key?: string): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    // Mappings and short lists of strings: one item per line, or the whole list on one line.
    if (value.every((item) => typeof item !== 'object' || item === null) && inline(value).length <= 100)
      return inline(value);
    if (!value.length) return '[]';
    const items = value.map((item) => `${inner}${key === 'mappings' ? inline(item) : block(item, inner)}`);
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (!entries.length) return '{}';
    const fields = entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${block(v, inner, k)}`);
    return `{\n${fields.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** The template as file text (ends with a newline). */
export function formatTemplate(template: Template | Record<string, unknown>): string {
  return `${block(template, '')}\n`;
}
