import { readFileSync } from 'node:fs';

export type TemplateValues = Readonly<Record<string, string | number>>;

const PLACEHOLDER = /\{\{([A-Z0-9_]+)\}\}/g;

/**
 * Fills `{{NAME}}` placeholders. A placeholder without a value is a programming mistake and
 * throws, so a config never reaches a peer half-filled.
 */
export function renderTemplate(text: string, values: TemplateValues): string {
  const missing = new Set<string>();
  const out = text.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      missing.add(name);
      return '';
    }
    return String(value);
  });
  if (missing.size > 0) throw new Error(`template placeholders without a value: ${[...missing].join(', ')}`);
  return out;
}

/** Reads a template file (a URL next to the peer's module) and fills it. */
export function renderTemplateFile(file: URL, values: TemplateValues): string {
  return renderTemplate(readFileSync(file, 'utf8'), values);
}
