import type { HexCoverage } from './db/coverage';
import type { Estimate } from './estimates';

/** Where a cell's answer comes from; measured sources win over the estimate. */
export const COVERAGE_SOURCES = ['mapper', 'witness', 'estimated', 'measured_no_signal', 'unmapped'] as const;
export type CoverageSource = (typeof COVERAGE_SOURCES)[number];

/**
 * Confidence of a measured cell: a transmitter in it was heard, so the answer is "covered" unless the device is much
 * weaker than what was heard; the model's own probability replaces it when higher.
 */
export const MEASURED_CONFIDENCE = 0.95;

const round = (x: number, digits: number) => Number(x.toFixed(digits));

export interface CellAnswer {
  source: CoverageSource;
  /** Probability that one uplink of the device from this cell is heard by at least one hotspot. */
  confidence: number;
  /** Hotspots expected to hear one uplink (Σ p_i): how many independent hotspots back the answer. */
  expected_hotspots: number;
  predicted: { rssi_dbm: number; snr_db: number; hotspot_count: number } | null;
}

/** The measured row's own source when the oracle records one (mapper receipts or witnesses), else witness. */
function measuredSource(hex: HexCoverage): CoverageSource {
  const source = (hex as HexCoverage & { source?: string }).source;
  return source === 'mapper' || source === 'measured_no_signal' ? source : 'witness';
}

export function cellAnswer(hex: HexCoverage | null, estimate: Estimate | null): CellAnswer {
  const reached = estimate !== null && estimate.hotspotCount > 0;
  const p = reached ? estimate.probability : 0;
  const source: CoverageSource = hex ? measuredSource(hex) : reached ? 'estimated' : 'unmapped';
  const confidence = source === 'mapper' || source === 'witness' ? Math.max(p, MEASURED_CONFIDENCE) : source === 'measured_no_signal' ? Math.min(p, 1 - MEASURED_CONFIDENCE) : p;
  return {
    source,
    confidence: round(confidence, 3),
    expected_hotspots: reached ? round(estimate.expectedHotspots, 2) : 0,
    predicted: reached ? { rssi_dbm: round(estimate.bestRssiDbm, 1), snr_db: round(estimate.bestSnrDb, 1), hotspot_count: estimate.hotspotCount } : null,
  };
}

/** JSON Schema of CellAnswer's fields for the OpenAPI document and the response serializer. */
export const cellAnswerDoc = {
  source: { type: 'string', enum: [...COVERAGE_SOURCES], description: 'mapper / witness: measured; estimated: the model only; measured_no_signal; unmapped: no hotspot in reach' },
  confidence: { type: 'number', description: 'probability (0–1) that one uplink of the device from this cell is heard by at least one hotspot' },
  expected_hotspots: { type: 'number', description: 'hotspots expected to hear one uplink (sum of their probabilities)' },
  predicted: {
    type: 'object',
    nullable: true,
    description: 'the model’s median signal at the strongest hotspot, and the hotspots reaching the cell with p ≥ 0.1',
    properties: { rssi_dbm: { type: 'number' }, snr_db: { type: 'number' }, hotspot_count: { type: 'integer' } },
  },
} as const;
