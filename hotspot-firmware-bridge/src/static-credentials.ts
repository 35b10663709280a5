import { readFileSync, statSync } from 'node:fs';
import type { Logger } from 'pino';

/**
 * Static-credential mode, for brokers that cannot verify a hotspot token (plain mosquitto with a password_file):
 * the bridge logs in with username = its hotspot address and a password the operator provisioned, kept in a file.
 * The token mode (mqtt-auth.ts) stays the default; docs/operations.md §7 compares the two.
 */
export class MqttPasswordFileError extends Error {}

/** The password: the file's first line without surrounding whitespace. The file must be private like a key file. */
export function readMqttPasswordFile(path: string): string {
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new MqttPasswordFileError(`cannot read MQTT password file ${path}: ${(error as Error).message}`);
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(3, '0');
    throw new MqttPasswordFileError(`MQTT password file ${path} has unsafe permissions ${octal}: group/others must have no access (run: chmod 600 ${path})`);
  }
  const password = text.split('\n', 1)[0]!.trim();
  if (!password) throw new MqttPasswordFileError(`MQTT password file ${path} is empty`);
  return password;
}

/**
 * Credentials for every (re)connect. The file is read now (a bad file fails the start) and again on each connect,
 * so a rotated password is picked up without a restart; if a later read fails, the last good password is used.
 */
export function staticMqttCredentials(username: string, passwordFile: string, logger: Logger): () => { username: string; password: string } {
  let password = readMqttPasswordFile(passwordFile);
  return () => {
    try {
      password = readMqttPasswordFile(passwordFile);
    } catch (error) {
      logger.warn({ err: error }, 'MQTT password file unreadable; logging in with the last password read');
    }
    return { username, password };
  };
}
