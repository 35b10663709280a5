import type { MapperRejection } from '../mappers/reasons';

/**
 * Invalid reasons, named and numbered as Helium's `invalid_reason` proto enum so our outputs map 1:1 (plus our own
 * additions, numbered from 100).
 * Ingest-level rejections (never a report) live in `IngestRejection`.
 */
export const INVALID_REASON_CODES = {
  bad_signature: 1,
  not_asserted: 2,
  entropy_expired: 3,
  bad_entropy: 4,
  invalid_capability: 5,
  invalid_pubkey: 6,
  irregular_interval: 7,
  gateway_not_found: 8,
  denied: 9,
  invalid_packet: 10,
  bad_rssi: 11,
  invalid_region: 12,
  max_distance_exceeded: 13,
  invalid_frequency: 14,
  self_witness: 15,
  stale: 16,
  scaling_factor_not_found: 17,
  unknown_error: 18,
  below_min_distance: 19,
  duplicate: 20,
  denied_edge: 21,
  too_late: 22,
  gateway_no_valid_beacons: 23,
  gateway_no_valid_witnesses: 24,
  // Ours, beyond Helium's enum (which ends at 24); numbered from 100 so the two ranges never meet.
  too_early: 100,
} as const;

export type InvalidReason = keyof typeof INVALID_REASON_CODES;
export type ParticipantSide = 'beaconer' | 'witness';

/** Why an MQTT message never became a stored report (kept in `rejected_messages.reason`). */
export type IngestRejection =
  | 'payload_too_large'
  | 'malformed_json'
  | 'invalid_schema'
  | 'bad_signature'
  | 'topic_mismatch'
  | 'unknown_topic'
  | 'duplicate'
  | 'store_failed'
  | MapperRejection;
