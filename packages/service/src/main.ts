import type { Logger } from 'pino';
import type { z } from 'zod';
import { createLogger } from './logger';
import { describeSettings, loadSettings, SettingsError } from './settings';
import { TaskRunner } from './tasks';

/**
 * The life of a service process: `--help` lists its settings; otherwise the settings are parsed once, the service
 * starts under a task runner that stops it in order on SIGINT/SIGTERM, and a failed start exits 1 (a bad setting 2,
 * which systemd units exclude from restarts).
 */
export async function runServiceMain<S extends z.ZodObject<{ LOG_LEVEL: z.ZodType<string> }>>(options: {
  name: string;
  /** One line: what the process does. */
  summary: string;
  schema: S;
  /** Environment variable naming a JSON settings file (besides --config FILE). */
  fileVariable: string;
  argv?: string[];
  /** Runs once the logger exists, before anything starts (process-wide guards). */
  prepare?: (log: Logger) => void;
  /** Starts the service's parts under `tasks`; returns what to log as running. */
  start: (settings: z.output<S>, log: Logger, tasks: TaskRunner) => Promise<Record<string, unknown>>;
}): Promise<void> {
  const argv = options.argv ?? process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`${options.name} — ${options.summary}\n\nSettings (environment, or a JSON file with --config FILE / ${options.fileVariable}):\n${describeSettings(options.schema)}`);
    return;
  }
  let settings: z.output<S>;
  try {
    settings = loadSettings(options.schema, { argv, fileVariable: options.fileVariable });
  } catch (error) {
    console.error(error instanceof SettingsError ? error.message : error);
    process.exit(2);
  }
  const log = createLogger({ level: settings.LOG_LEVEL, name: options.name });
  options.prepare?.(log);
  const tasks = new TaskRunner(log);
  tasks.stopOnSignals();
  try {
    log.info(await options.start(settings, log, tasks), `${options.name} running`);
  } catch (error) {
    log.error({ err: error }, `${options.name} failed to start`);
    await tasks.stop('startup failure');
    process.exit(error instanceof SettingsError ? 2 : 1);
  }
}
