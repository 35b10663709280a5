import type { HexCoverage } from './db/coverage';
import { applyCalibration } from '@poc/radio';
import { roundDecimal } from './decimal-round';
import type { Estimate } from './estimates';
import type { Measurements } from './mapper-measurements';

/** Where a cell's answer comes from; measured sources win over the estimate. */
export const COVERAGE_SOURCES = ['mapper', 'witness', 'estimated', 'measured_no_signal', 'unmapped'] as const;
export type CoverageSource = (typeof COVERAGE_SOURCES)[number];

/**
 * Confidence of a measured cell: a transmitter in it was heard, so the answer is "covered" unless the device is much
 * weaker than what was heard; the model's own probability replaces it when higher.
 */
export const MEASURED_CONFIDENCE = 0.95;


export interface CellAnswer {
  source: CoverageSource;
  /** Probability that one uplink of the device from this cell is heard by at least one hotspot. */
  confidence: number;
  /**
   * What the confidence rests on: 'measured' (mapper / witness / measured_no_signal), 'calibrated on N mapper frames'
   * (the model's probability through the oracle's reliability map for the device's environment), or 'model'.
   */
  confidence_basis: string;
  /** Hotspots expected to hear one uplink (Σ p_i): how many independent hotspots back the answer. */
  expected_hotspots: number;
  predicted: { rssi_dbm: number; snr_db: number; hotspot_count: number } | null;
  /** The measurements behind a measured answer (heard ones when covered, unheard logged frames when no signal). */
  measurements: { count: number; last_at: string } | null;
}

/** What mapper devices measured at the cell in the answer's time window (MapperMeasurements). */
export interface MapperEvidence {
  mapper: Measurements | null;
  noSignal: Measurements | null;
}

// The age is now − last_at: no clock-dependent field, so one cell answers the same from memory and from PostgreSQL.
const measurementsOf = (count: number, lastAt: Date) => ({ count, last_at: lastAt.toISOString() });

/** The measured row's own source when the oracle records one (mapper receipts or witnesses), else witness. */
function measuredSource(hex: HexCoverage): CoverageSource {
  const source = (hex as HexCoverage & { source?: string }).source;
  return source === 'mapper' || source === 'measured_no_signal' ? source : 'witness';
}

/**
 * A cell's answer. Measured covered (any hotspot heard a witness beacon or a mapper frame there in the window) wins
 * over measured no-signal (logged mapper frames no hotspot heard, same window), which wins over the model's estimate.
 */
export function cellAnswer(hex: HexCoverage | null, estimate: Estimate | null, evidence: MapperEvidence | null = null): CellAnswer {
  const reached = estimate !== null && estimate.hotspotCount > 0;
  const calibration = reached ? estimate.calibration : undefined;
  // The calibrated probability wherever the model's is used: estimated cells, and the bounds of measured ones.
  const p = !reached ? 0 : calibration?.map ? applyCalibration(calibration.map, estimate.probability) : estimate.probability;
  const noSignal = hex ? null : (evidence?.noSignal ?? null);
  const source: CoverageSource = hex ? (evidence?.mapper ? 'mapper' : measuredSource(hex)) : noSignal ? 'measured_no_signal' : reached ? 'estimated' : 'unmapped';
  const confidence = source === 'mapper' || source === 'witness' ? Math.max(p, MEASURED_CONFIDENCE) : source === 'measured_no_signal' ? Math.min(p, 1 - MEASURED_CONFIDENCE) : p;
  return {
    source,
    confidence: roundDecimal(confidence, 3),
    confidence_basis: source === 'estimated' || source === 'unmapped' ? (calibration?.basis ?? 'model') : 'measured',
    expected_hotspots: reached ? roundDecimal(estimate.expectedHotspots, 2) : 0,
    predicted: reached ? { rssi_dbm: roundDecimal(estimate.bestRssiDbm, 1), snr_db: roundDecimal(estimate.bestSnrDb, 1), hotspot_count: estimate.hotspotCount } : null,
    // A hex's last_seen_at is already toISOString's text (index and PostgreSQL rows alike).
    measurements: hex ? { count: hex.witness_count, last_at: hex.last_seen_at } : noSignal ? measurementsOf(noSignal.count, noSignal.lastAt) : null,
  };
}

/** JSON Schema of CellAnswer's fields for the OpenAPI document and the response serializer. */
export const cellAnswerDoc = {
  source: { type: 'string', enum: [...COVERAGE_SOURCES], description: 'mapper / witness: measured covered (by a mapper frame heard in the window, else by PoC witnesses); measured_no_signal: logged mapper frames no hotspot heard and no covered measurement in the window; estimated: the model only; unmapped: no hotspot in reach' },
  confidence: { type: 'number', description: 'probability (0–1) that one uplink of the device from this cell is heard by at least one hotspot' },
  confidence_basis: {
    type: 'string',
    description:
      "what confidence rests on: 'measured' (mapper, witness, measured_no_signal: at least 0.95 / at most 0.05), 'calibrated on N mapper frames' (the model's probability mapped through the reliability map the oracle fitted on N logged mapper frames for the device's environment), or 'model' (the model's probability as is: no map with enough frames yet)",
  },
  expected_hotspots: { type: 'number', description: 'hotspots expected to hear one uplink (sum of their probabilities)' },
  predicted: {
    type: 'object',
    nullable: true,
    description: 'the model’s median signal at the strongest hotspot, and the hotspots reaching the cell with p ≥ 0.1',
    properties: { rssi_dbm: { type: 'number' }, snr_db: { type: 'number' }, hotspot_count: { type: 'integer' } },
  },
  measurements: {
    type: 'object',
    nullable: true,
    description: 'measured answers: how many measurements back it in the window (hotspot receptions when covered, unheard logged mapper frames when measured_no_signal) and the newest one (its age is now − last_at)',
    properties: { count: { type: 'integer' }, last_at: { type: 'string', format: 'date-time' } },
  },
} as const;
