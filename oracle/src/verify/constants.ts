/** Helium IoT verifier constants (packages/protocol/SPEC.md §Verifier constants; provenance in oracle/README.md §Helium reference). */
export const ENTROPY_LIFESPAN_S = 180;
export const STALE_AFTER_MS = 45 * 60 * 1000;
export const MAX_WITNESS_LAG_MS = 4000;
export const MAX_WITNESS_LAG_AFTER_FIRST_MS = 1500;
/**
 * Beyond Helium: how far a witness may arrive *before* its beacon (oracle receive times). The beacon report is one
 * more report of the same transmission reaching us over its own path (bridge journal, broker, possibly another
 * oracle worker's clock), so it gets the spread Helium already allows between reports of one transmission: 1.5 s
 * between the first and any later witness. Honest bridges send the beacon report at TX_ACK, before any witness can
 * have received the frame, so anything earlier needed the payload in advance.
 */
export const MAX_WITNESS_LEAD_MS = MAX_WITNESS_LAG_AFTER_FIRST_MS;
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
