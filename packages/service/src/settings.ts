import { readFileSync } from 'node:fs';
import { z } from 'zod';

export class SettingsError extends Error {}

/**
 * A service's settings: environment variables, over an optional JSON file of the same names (the file named by
 * `--config FILE` or by `<fileVariable>`), parsed once with the service's zod schema. Unknown names in the file are
 * an error, so a typo is caught at start rather than silently ignored.
 */
export function loadSettings<S extends z.ZodObject>(
  schema: S,
  options: { env?: NodeJS.ProcessEnv; argv?: readonly string[]; fileVariable?: string } = {},
): z.output<S> {
  const env = options.env ?? process.env;
  const argv = options.argv ?? process.argv.slice(2);
  const flag = argv.indexOf('--config');
  const file = flag >= 0 ? argv[flag + 1] : options.fileVariable ? env[options.fileVariable] : undefined;
  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new SettingsError(`cannot read settings file ${file}: ${(error as Error).message}`);
    }
    const unknown = Object.keys(fromFile).filter((key) => !(key in schema.shape));
    if (unknown.length) throw new SettingsError(`settings file ${file} has unknown settings: ${unknown.join(', ')}`);
  }
  const fromEnv = Object.fromEntries(Object.keys(schema.shape).flatMap((key) => (env[key] === undefined ? [] : [[key, env[key]]])));
  const parsed = schema.safeParse({ ...fromFile, ...fromEnv });
  if (!parsed.success) throw new SettingsError(`invalid settings:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** One line per setting (name, default, description) from a schema whose fields carry `.describe()`. */
export function describeSettings(schema: z.ZodObject): string {
  return Object.entries(schema.shape)
    .map(([name, field]) => {
      const type = field as z.ZodType;
      const fallback = type instanceof z.ZodDefault ? ` (default ${JSON.stringify(type.def.defaultValue)})` : type.safeParse(undefined).success ? ' (optional)' : ' (required)';
      return `  ${name}${fallback}\n      ${type.description ?? ''}`;
    })
    .join('\n');
}

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
export const port = z.coerce.number().int().min(0).max(65_535);
