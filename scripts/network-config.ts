import { z } from 'zod';

/** Everything `npm start` can be told through the environment, with the local-demo defaults. */
const envSchema = z.object({
  DATABASE_URL: z.url().optional(),
  MQTT_URL: z.url().optional(),
  SOLANA_RPC_URL: z.url().optional(),
  POC_DATA_DIR: z.string().default('.data/network'),
  POC_HOTSPOTS: z.coerce.number().int().min(2).max(20_000).default(200),
  POC_FLEET_SEED: z.coerce.number().int().default(42),
  POC_EPOCH_SECONDS: z.coerce.number().int().min(10).default(60),
  POC_BEACON_INTERVAL_SECONDS: z.coerce.number().int().min(10).default(60),
  POC_ENTROPY_INTERVAL_SECONDS: z.coerce.number().int().min(5).default(15),
  POC_WITNESS_GRACE_SECONDS: z.coerce.number().int().min(1).default(10),
  POC_CHEATERS: z.coerce.number().int().min(0).default(6),
  /** Simulated mapper devices registered and run along routes through the fleet's towns (0: none). */
  POC_MAPPERS: z.coerce.number().int().min(0).max(100).default(6),
  /** Days of daily coverage history the oracle keeps for the map's and API's time filters. */
  POC_COVERAGE_HISTORY_DAYS: z.coerce.number().int().min(1).default(90),
  /** Days the oracle keeps a rejected message after its last copy arrived. */
  POC_REJECTED_MESSAGES_DAYS: z.coerce.number().int().min(1).default(14),
  POC_MY_HOTSPOT_UDP_PORT: z.coerce.number().int().min(0).max(65535).default(1680),
  POC_MY_HOTSPOT_API_PORT: z.coerce.number().int().min(0).max(65535).default(4468),
  OPS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** The map server's /metrics, /healthz, /readyz (never on the public port). */
  MAPPER_OPS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  MQTT_PORT: z.coerce.number().int().min(0).max(65535).default(1883),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

export type NetworkConfig = z.output<typeof envSchema>;

export function loadNetworkConfig(env: NodeJS.ProcessEnv = process.env): NetworkConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid environment:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
