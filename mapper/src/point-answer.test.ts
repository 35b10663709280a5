import { describe, expect, it } from 'vitest';
import { pointAnswerJson, type PointAnswer } from './point-answer';

const answer = (overrides: Partial<PointAnswer> = {}): PointAnswer => ({
  lat: 52.370216,
  lng: 4.895168,
  h3: '891f1d48863ffff',
  resolution: 9,
  covered: true,
  signal_class: 'strong',
  coverage: {
    h3: '891f1d48863ffff',
    resolution: 9,
    lat: 52.37023847331585,
    lng: 4.89520611462812,
    signal_class: 'strong',
    best_rssi_dbm: -80,
    best_snr_db: 10.5,
    witness_count: 10,
    hotspot_count: 2,
    first_seen_at: '2026-11-12T10:00:00.000Z',
    last_seen_at: '2026-12-02T09:00:00.000Z',
  },
  source: 'witness',
  confidence: 0.95,
  confidence_basis: 'measured',
  expected_hotspots: 1.87,
  predicted: { rssi_dbm: -101.3, snr_db: 2.5, hotspot_count: 3 },
  measurements: { count: 10, last_at: '2026-12-02T09:00:00.000Z' },
  device: { tx_power_dbm: 14, antenna_gain_dbi: 0, spreading_factor: 'any', environment: 'outdoor' },
  freshness: { coverage_updated_at: '2026-12-02T09:00:00.000Z', generated_at: '2026-12-02T15:00:00.123Z' },
  ...overrides,
});

describe('pointAnswerJson', () => {
  it('parses back to the answer, whatever its nulls and values', () => {
    const variants: PointAnswer[] = [
      answer(),
      answer({ covered: false, signal_class: null, coverage: null, source: 'estimated', confidence: 0.412, confidence_basis: 'calibrated on 1234 mapper frames', measurements: null }),
      answer({ covered: false, signal_class: null, coverage: null, source: 'unmapped', confidence: 0, expected_hotspots: 0, predicted: null, measurements: null }),
      answer({ device: { tx_power_dbm: -3.5, antenna_gain_dbi: 2.25, spreading_factor: 7, environment: 'indoor' }, freshness: { coverage_updated_at: null, generated_at: '2026-12-02T15:00:00.123Z' } }),
      answer({ lat: -0, lng: 1e-7, confidence: Number.NaN, expected_hotspots: Number.POSITIVE_INFINITY }),
    ];
    for (const a of variants) expect(JSON.parse(pointAnswerJson(a))).toEqual(JSON.parse(JSON.stringify(a)));
  });

  it('escapes any string that needs it exactly as JSON.stringify does', () => {
    for (const text of ['a "quoted" basis', 'back\\slash', 'line\nbreak', 'tab\there', '\u0000nul', 'non-ASCII é ✓', 'emoji 📡', '\u007fdel', '\ud800 lone surrogate']) {
      const a = answer({ confidence_basis: text, h3: text });
      const json = pointAnswerJson(a);
      expect(json).toContain(`"confidence_basis":${JSON.stringify(text)}`);
      expect(JSON.parse(json).h3).toBe(text);
    }
  });

  it('writes what JSON.stringify writes for the answer with its fields in the documented order', () => {
    const a = answer();
    expect(pointAnswerJson(a)).toBe(JSON.stringify(a));
  });
});
