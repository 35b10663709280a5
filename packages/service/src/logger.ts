import pino, { type Logger } from 'pino';

/** Human-readable lines on a terminal, one JSON object per line everywhere else (journald, log shippers). */
export function createLogger(options: { level: string; name?: string; pretty?: boolean }): Logger {
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  return pino({
    level: options.level,
    name: options.name,
    transport: pretty ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } : undefined,
  });
}
