import { describe, expect, it } from 'vitest';
import { toCell } from './checks';
import { ENTROPY_TS_S, LOCAL_ENTROPY, POC_DATA, REMOTE_ENTROPY } from './fixtures';
import { applyPocUpdates, evaluatePoc, type Gateway, type PocBeacon, type PocContext, type PocWitness } from './poc';

const LOC0 = toCell(631615575095659519n);
const LOC4 = toCell(627111975465463807n);
const HOUR = 3600_000;
const entropyMs = ENTROPY_TS_S * 1000;

function gateway(address: string, patch: Partial<Gateway> = {}): Gateway {
  return {
    address,
    location: LOC4,
    region: 'EU868',
    gainDdbi: 20,
    isFullHotspot: true,
    lastBeaconMs: null,
    lastWitnessMs: entropyMs - HOUR,
    lastBeaconRecipMs: entropyMs - HOUR,
    ...patch,
  };
}

function fixture(overrides: { gateways?: Gateway[]; denied?: string[]; edges?: [string, string][]; entropy?: number | null } = {}) {
  const gws = new Map<string, Gateway>();
  for (const g of overrides.gateways ?? [gateway('beaconer', { location: LOC0, gainDdbi: 12 })]) gws.set(g.address, g);
  const ctx: PocContext = {
    gateway: (a) => gws.get(a),
    entropyTimestampS: overrides.entropy === undefined ? ENTROPY_TS_S : overrides.entropy,
    deniedKey: (a) => ((overrides.denied ?? []).includes(a) ? '0' : null),
    deniedEdge: (a, b) => ((overrides.edges ?? []).some(([x, y]) => (x === a && y === b) || (x === b && y === a)) ? '0' : null),
    beaconIntervalS: 21600,
  };
  return { gws, ctx };
}

const beacon = (patch: Partial<PocBeacon> = {}): PocBeacon => ({
  hash: 'b1',
  hotspot: 'beaconer',
  receivedMs: entropyMs + 60_000,
  remoteEntropy: REMOTE_ENTROPY,
  localEntropy: LOCAL_ENTROPY,
  data: POC_DATA,
  frequency: 867_900_000,
  datarate: 'SF12BW125',
  txPower: 8,
  ...patch,
});

const witness = (hotspot: string, patch: Partial<PocWitness> = {}): PocWitness => ({
  hash: `w-${hotspot}-${patch.receivedMs ?? 0}`,
  hotspot,
  receivedMs: entropyMs + 60_500,
  data: POC_DATA,
  signal: -1080,
  snr: 35,
  frequency: 867_900_032,
  datarate: 'SF12BW125',
  ...patch,
});

describe('beacon verification (poc.rs beacon list)', () => {
  const withWitness = (ctxArgs: Parameters<typeof fixture>[0], b: PocBeacon) => {
    const f = fixture({ ...ctxArgs, gateways: [...(ctxArgs?.gateways ?? [gateway('beaconer', { location: LOC0, gainDdbi: 12 })]), gateway('w1')] });
    return evaluatePoc(b, [witness('w1', { receivedMs: b.receivedMs + 500 })], f.ctx);
  };

  it('passes the Helium fixture beacon with one witness', () => {
    const out = withWitness({}, beacon());
    expect(out.beaconReason).toBeNull();
    expect(out.witnesses[0]).toMatchObject({ reason: null, selected: true, rewardUnit: 1 });
    expect(out.beaconRewardUnit).toBe(0.25);
  });
  it('rejects entropy older than its 3 min window', () => {
    expect(withWitness({}, beacon({ receivedMs: entropyMs + 4 * 60_000 })).beaconReason).toBe('entropy_expired');
  });
  it('rejects a denied key with its tag and gives every witness the beaconer-side reason', () => {
    const out = withWitness({ denied: ['beaconer'] }, beacon());
    expect(out).toMatchObject({ beaconReason: 'denied', beaconDenylistTag: '0' });
    expect(out.witnesses[0]).toMatchObject({ reason: 'denied', side: 'beaconer', selected: false });
  });
  it('rejects an unasserted beaconer without updating last_beacon', () => {
    const out = withWitness({ gateways: [gateway('beaconer', { location: null })] }, beacon());
    expect(out.beaconReason).toBe('not_asserted');
    expect(out.updates.beaconer.lastBeaconMs).toBeUndefined();
  });
  it('rejects a second beacon in the same bucket but still moves last_beacon', () => {
    const out = withWitness({ gateways: [gateway('beaconer', { location: LOC0, lastBeaconMs: entropyMs })] }, beacon());
    expect(out.beaconReason).toBe('irregular_interval');
    expect(out.updates.beaconer.lastBeaconMs).toBe(entropyMs + 60_000);
  });
  it('rejects a data-only hotspot', () => {
    expect(withWitness({ gateways: [gateway('beaconer', { location: LOC0, isFullHotspot: false })] }, beacon()).beaconReason).toBe('invalid_capability');
  });
  it('rejects a payload that does not regenerate from the entropy', () => {
    expect(withWitness({}, beacon({ data: POC_DATA.slice(0, 17) })).beaconReason).toBe('invalid_packet');
  });
  it('rejects an unknown beaconer and unknown entropy', () => {
    expect(withWitness({ gateways: [] }, beacon()).beaconReason).toBe('gateway_not_found');
    expect(withWitness({ entropy: null }, beacon()).beaconReason).toBe('bad_entropy');
  });
});

describe('witness verification and selection', () => {
  it('[valid, self, duplicate, too-close] → 1 selected, the rest unselected with reasons', () => {
    const near = toCell(627111975468974079n); // 7 cells from LOC0
    const { ctx } = fixture({ gateways: [gateway('beaconer', { location: LOC0, gainDdbi: 12 }), gateway('w1'), gateway('w2', { location: near })] });
    const b = beacon();
    const out = evaluatePoc(
      b,
      [
        witness('w1', { receivedMs: b.receivedMs + 100 }),
        witness('beaconer', { receivedMs: b.receivedMs + 200 }),
        witness('w1', { receivedMs: b.receivedMs + 300 }),
        witness('w2', { receivedMs: b.receivedMs + 400 }),
      ],
      ctx,
    );
    expect(out.witnesses.map((w) => [w.hotspot, w.reason, w.selected])).toEqual([
      ['w1', null, true],
      ['beaconer', 'self_witness', false],
      ['w1', 'duplicate', false],
      ['w2', 'below_min_distance', false],
    ]);
  });

  it('each witness rule in order: denied, denied edge, late, frequency, region, RSSI, unknown, unasserted', () => {
    const gws = [
      gateway('beaconer', { location: LOC0, gainDdbi: 12 }),
      ...['d', 'e', 'late', 'freq', 'region', 'rssi', 'noloc'].map((a) => gateway(a)),
    ];
    gws.find((g) => g.address === 'region')!.region = 'US915';
    gws.find((g) => g.address === 'noloc')!.location = null;
    const { ctx } = fixture({ gateways: gws, denied: ['d'], edges: [['e', 'beaconer']] });
    const b = beacon();
    const rx = b.receivedMs;
    const out = evaluatePoc(
      b,
      [
        witness('d', { receivedMs: rx + 10 }),
        witness('e', { receivedMs: rx + 20 }),
        witness('late', { receivedMs: rx + 4001 }),
        witness('freq', { receivedMs: rx + 30, frequency: 867_900_000 + 100_001 }),
        witness('region', { receivedMs: rx + 40 }),
        witness('rssi', { receivedMs: rx + 50, signal: 300 }),
        witness('unknown', { receivedMs: rx + 60 }),
        witness('noloc', { receivedMs: rx + 70 }),
      ],
      ctx,
    );
    const reasons = Object.fromEntries(out.witnesses.map((w) => [w.hotspot, w.reason]));
    expect(reasons).toEqual({
      d: 'denied',
      e: 'denied_edge',
      late: 'too_late',
      freq: 'invalid_frequency',
      region: 'invalid_region',
      rssi: 'bad_rssi',
      unknown: 'gateway_not_found',
      noloc: 'not_asserted',
    });
    expect(out.witnesses.every((w) => w.side === 'witness' && !w.selected && !w.radioValid)).toBe(true);
  });

  it('30 valid witnesses 1 ms apart → the 14 earliest selected, 16 unselected; 10 → all selected', () => {
    for (const [count, selected] of [[30, 14], [10, 10]] as const) {
      const names = Array.from({ length: count }, (_, i) => `w${String(i).padStart(2, '0')}`);
      const { ctx } = fixture({ gateways: [gateway('beaconer', { location: LOC0, gainDdbi: 12 }), ...names.map((n) => gateway(n))] });
      const b = beacon();
      const shuffled = names.map((n, i) => witness(n, { receivedMs: b.receivedMs + i })).reverse();
      const out = evaluatePoc(b, shuffled, ctx);
      const chosen = out.witnesses.filter((w) => w.selected).map((w) => w.hotspot);
      expect(chosen).toEqual(names.slice(0, selected));
      expect(out.witnesses.filter((w) => !w.selected)).toHaveLength(count - selected);
      expect(out.witnesses.filter((w) => !w.selected).every((w) => w.reason === null && w.rewardUnit === 0)).toBe(true);
    }
  });
});

describe('reciprocity (runner integration cases)', () => {
  const fresh = (a: string, loc: string) => gateway(a, { location: loc, lastWitnessMs: null, lastBeaconRecipMs: null, gainDdbi: 12 });

  it('a beaconer that never witnessed fails the whole PoC; a witness that never beaconed fails alone', () => {
    const { ctx } = fixture({ gateways: [fresh('beaconer', LOC0), gateway('w1'), fresh('w2', LOC4)] });
    const b = beacon();
    const out = evaluatePoc(b, [witness('w1', { receivedMs: b.receivedMs + 1 })], ctx);
    expect(out.beaconReason).toBe('gateway_no_valid_witnesses');
    expect(out.witnesses[0]).toMatchObject({ reason: 'gateway_no_valid_witnesses', side: 'beaconer', radioValid: true });
    expect(out.updates.beaconer.lastBeaconRecipMs).toBe(b.receivedMs);

    const { ctx: ctx2 } = fixture({ gateways: [gateway('beaconer', { location: LOC0, gainDdbi: 12 }), fresh('w2', LOC4)] });
    const out2 = evaluatePoc(b, [witness('w2', { receivedMs: b.receivedMs + 1 })], ctx2);
    expect(out2.beaconReason).toBeNull();
    expect(out2.witnesses[0]).toMatchObject({ reason: 'gateway_no_valid_beacons', side: 'witness', selected: false, radioValid: true });
    expect(out2.beaconRewardUnit).toBe(0);
  });

  it('a lone beacon from a beaconer without witnessing fails and does not set last_beacon_recip', () => {
    const { ctx } = fixture({ gateways: [fresh('beaconer', LOC0)] });
    const out = evaluatePoc(beacon(), [], ctx);
    expect(out.beaconReason).toBe('gateway_no_valid_witnesses');
    expect(out.updates.beaconer.lastBeaconRecipMs).toBeUndefined();
  });

  it('two new gateways alternating: invalid, then valid, valid', () => {
    const { gws, ctx } = fixture({ gateways: [fresh('A', LOC0), fresh('B', LOC4)] });
    const results: (string | null)[] = [];
    for (let round = 0; round < 3; round++) {
      const [beaconer, witnesser] = round % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
      const rx = entropyMs + 10_000 + round * 30_000;
      const b = beacon({ hotspot: beaconer, receivedMs: rx, hash: `b${round}` });
      const out = evaluatePoc(b, [witness(witnesser, { receivedMs: rx + 100 })], { ...ctx, beaconIntervalS: 10 });
      applyPocUpdates(out, gws.get(beaconer), (a) => gws.get(a));
      results.push(out.beaconReason);
    }
    expect(results).toEqual(['gateway_no_valid_witnesses', null, null]);
  });
});
