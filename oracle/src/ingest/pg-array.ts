/**
 * PostgreSQL array literals ("Array Value Input" in the PostgreSQL manual), one text parameter per column of a batch,
 * for `INSERT … SELECT … FROM unnest($1::text[], $2::bytea[], …)`. A batch is then one statement with a fixed
 * parameter count, prepared once, where a multi-row VALUES has a parameter per cell and new statement text for every
 * batch size — which PostgreSQL parses and plans again, and postgres.js serializes cell by cell (oracle/README.md
 * §Ingest CPU per report).
 */
export function arrayLiteral<T>(items: readonly T[], element: (item: T) => string): string {
  let literal = '{';
  for (let i = 0; i < items.length; i++) literal += (i === 0 ? '' : ',') + element(items[i]!);
  return literal + '}';
}

/** A text element: always double-quoted (so `NULL`, `{`, `,` or spaces stay text), `\` and `"` escaped. */
export const textElement = (s: string | null): string => (s === null ? 'NULL' : `"${s.replace(/[\\"]/g, '\\$&')}"`);

/** A bytea element in hex input format (`\x…`), its backslash escaped for the array parser. */
export const byteaElement = (b: Uint8Array): string => `\\\\x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`;

/** A timestamptz element, in the ISO form postgres.js sends for a Date parameter. */
export const timestampElement = (d: Date): string => d.toISOString();
