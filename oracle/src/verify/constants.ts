/** Helium IoT verifier constants (poc_rules.md §1). */
export const ENTROPY_LIFESPAN_S = 180;
export const STALE_AFTER_MS = 45 * 60 * 1000;
export const MAX_WITNESS_LAG_MS = 4000;
export const MAX_WITNESS_LAG_AFTER_FIRST_MS = 1500;
export const MAX_FREQUENCY_DIFF_HZ = 100_000;
export const MIN_CELL_DISTANCE_RES11 = 8;
export const MAX_DISTANCE_KM = 100;
export const RECIPROCITY_WINDOW_MS = 48 * 3600 * 1000;
export const MAX_WITNESSES_PER_POC = 14;
export const DEFAULT_GAIN_DDBI = 12;
export const SPEED_OF_LIGHT_M_S = 2.998e8;
/** Hex-density inputs: gateways whose last reciprocal beacon is within this window (60 h + 60 min). */
export const DENSITY_RECIP_WINDOW_MS = (60 + 1) * 3600 * 1000;
export const MISSING_HEX_SCALE = 0.2;
