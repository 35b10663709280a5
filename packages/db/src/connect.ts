import postgres, { type Sql } from 'postgres';

export type Database = Sql;

export function connectDatabase(url: string, options: { max?: number } = {}): Database {
  return postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    types: { bigint: postgres.BigInt },
  });
}
