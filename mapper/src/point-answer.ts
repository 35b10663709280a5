import type { CellAnswer } from './cell-answer';
import type { HexCoverage } from './db/coverage';
import type { deviceEcho } from './device-profile';
import type { Freshness } from './freshness';
import type { SignalClass } from './signal';

/** The single point query's answer (GET /v1/coverage/point); the typed CellAnswer fields make the compiler flag one left out. */
export interface PointAnswer extends CellAnswer {
  lat: number;
  lng: number;
  h3: string;
  resolution: 9;
  covered: boolean;
  signal_class: SignalClass | null;
  coverage: HexCoverage | null;
  device: ReturnType<typeof deviceEcho>;
  freshness: Freshness;
}

/**
 * The answer as one literal: every answer then has the same hidden class, so building it and writing it out stay on
 * V8's fast paths (object spreads here showed up as slow-path property definitions and load misses in the
 * point-query benchmark's profile).
 */
export function pointAnswerOf(q: { lat: number; lng: number }, h3: string, hex: HexCoverage | null, answer: CellAnswer, device: PointAnswer['device'], freshness: Freshness): PointAnswer {
  return {
    lat: q.lat,
    lng: q.lng,
    h3,
    resolution: 9,
    covered: hex !== null,
    signal_class: hex?.signal_class ?? null,
    coverage: hex,
    source: answer.source,
    confidence: answer.confidence,
    confidence_basis: answer.confidence_basis,
    expected_hotspots: answer.expected_hotspots,
    predicted: answer.predicted,
    measurements: answer.measurements,
    device,
    freshness,
  };
}

// JSON.stringify's spelling of each value: numbers that are not finite become null, strings are quoted and escaped.
const num = (n: number) => (Number.isFinite(n) ? `${n}` : 'null');
/**
 * A string as JSON. The answer's strings are H3 indexes, enum names and ISO dates, which need no escape: they are
 * checked character by character (printable ASCII other than `"` and `\`) and quoted as they are, which costs less
 * than a call into JSON.stringify; any other string is escaped by it.
 */
function str(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return JSON.stringify(s);
  }
  return `"${s}"`;
}
const strOrNull = (s: string | null) => (s === null ? 'null' : str(s));

/** The documented fields of a measured hex (the route schema's `coverage`); any other field a row carries stays out. */
function coverageJson(h: HexCoverage | null): string {
  if (h === null) return 'null';
  return (
    `{"h3":${str(h.h3)},"resolution":${num(h.resolution)},"lat":${num(h.lat)},"lng":${num(h.lng)},"signal_class":${str(h.signal_class)},` +
    `"best_rssi_dbm":${num(h.best_rssi_dbm)},"best_snr_db":${num(h.best_snr_db)},"witness_count":${num(h.witness_count)},` +
    `"hotspot_count":${num(h.hotspot_count)},"first_seen_at":${str(h.first_seen_at)},"last_seen_at":${str(h.last_seen_at)}}`
  );
}

/**
 * The answer's JSON text, field for field what the route's response schema documents, in its order. Written out
 * directly because this is the carriers' hottest route: the schema-driven serializer spent ≈ 8 % of the route's time
 * on per-field type checks and coercions of values whose types the literal above already fixes (mapper/README.md,
 * §Benchmark).
 */
export function pointAnswerJson(a: PointAnswer): string {
  const p = a.predicted;
  const m = a.measurements;
  const d = a.device;
  return (
    `{"lat":${num(a.lat)},"lng":${num(a.lng)},"h3":${str(a.h3)},"resolution":${num(a.resolution)},"covered":${a.covered},` +
    `"signal_class":${strOrNull(a.signal_class)},"coverage":${coverageJson(a.coverage)},"source":${str(a.source)},` +
    `"confidence":${num(a.confidence)},"confidence_basis":${str(a.confidence_basis)},"expected_hotspots":${num(a.expected_hotspots)},` +
    `"predicted":${p === null ? 'null' : `{"rssi_dbm":${num(p.rssi_dbm)},"snr_db":${num(p.snr_db)},"hotspot_count":${num(p.hotspot_count)}}`},` +
    `"measurements":${m === null ? 'null' : `{"count":${num(m.count)},"last_at":${str(m.last_at)}}`},` +
    `"device":{"tx_power_dbm":${num(d.tx_power_dbm)},"antenna_gain_dbi":${num(d.antenna_gain_dbi)},` +
    `"spreading_factor":${typeof d.spreading_factor === 'number' ? num(d.spreading_factor) : str(d.spreading_factor)},"environment":${str(d.environment)}},` +
    `"freshness":{"coverage_updated_at":${strOrNull(a.freshness.coverage_updated_at)},"generated_at":${str(a.freshness.generated_at)}}}`
  );
}
