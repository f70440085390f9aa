// Message templates as written in the web editor: `{name}` or `{{name}}`, seven variables.
// A missing value renders empty; an unknown placeholder is an error, never sent raw.

export const TEMPLATE_VARIABLES = [
  'titre_annonce',
  'prix',
  'marque',
  'modele',
  'annee',
  'ville',
  'vendeur_nom',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateValues = Partial<Record<TemplateVariable, string | number | null>>;

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}|\{\s*([^{}\s]+)\s*\}/g;
const known = new Set<string>(TEMPLATE_VARIABLES);

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  readonly code = 'TEMPLATE_UNKNOWN_PLACEHOLDER';
  constructor(readonly unknown: string[]) {
    super(`unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `{${u}}`).join(', ')}`);
  }
}

/** Placeholders a template uses that no variable fills. */
function unknownPlaceholders(template: string): string[] {
  const names = [...template.matchAll(PLACEHOLDER)].map((m) => (m[1] ?? m[2])!);
  return [...new Set(names.filter((n) => !known.has(n)))];
}

/**
 * What makes a text template unusable: blank (an empty message would still be paid for), or a
 * placeholder no variable fills.
 */
export function textTemplateProblem(template: string | null): 'TEMPLATE_EMPTY' | 'TEMPLATE_UNKNOWN_PLACEHOLDER' | null {
  if (!template?.trim()) return 'TEMPLATE_EMPTY';
  return unknownPlaceholders(template).length > 0 ? 'TEMPLATE_UNKNOWN_PLACEHOLDER' : null;
}

/** 12500 → "12 500 €" */
// Built once: constructing an Intl formatter costs far more than formatting with it.
const FRENCH_PRICE = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });

export function formatPrice(price: number): string {
  return `${FRENCH_PRICE.format(price).replace(/[\u202f\u00a0]/g, ' ')} €`;
}

/** Checks the template once; the returned function renders it for many values. */
export function compileTemplate(template: string): (values: TemplateValues) => string {
  const unknown = unknownPlaceholders(template);
  if (unknown.length > 0) throw new TemplateError(unknown);
  return (values) =>
    template.replace(PLACEHOLDER, (_match, double: string | undefined, single: string | undefined) => {
      const value = values[(double ?? single) as TemplateVariable];
      return value === null || value === undefined ? '' : String(value);
    });
}

export function renderTemplate(template: string, values: TemplateValues): string {
  return compileTemplate(template)(values);
}
