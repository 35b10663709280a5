import { decodeReportPayload, encodeReportPayload, generateHotspotKeypair, type BeaconReport, type WitnessReport } from '@poc/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueEntropy } from '../src/entropy/publisher';
import type { AcceptedReport } from '../src/ingest/decode';
import { storeBatch } from '../src/ingest/store';
import { denyEdges, denyHotspots } from '../src/registry/registry';
import { HexDensityCache } from '../src/rewards/density-cache';
import { markStaleReports, processPendingPocs } from '../src/verify/processor';
import { createTestDatabase, type TestDatabase } from '@poc/devnet/test-database';
import { hotspot, LOC0, LOC4, makeBeacon, makeWitness, seedHotspots } from './helpers';
import { latLngToCell } from 'h3-js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const accepted = (kind: 'beacon' | 'witness', report: BeaconReport | WitnessReport, receivedAt: Date): AcceptedReport => {
  const decoded = decodeReportPayload(kind, encodeReportPayload(kind, report));
  if (!decoded.ok) throw new Error(decoded.detail);
  return { kind, hash: decoded.hash, report: decoded.report, receivedAt, payload: Buffer.alloc(0), topic: kind } as AcceptedReport;
};
const options = { beaconIntervalSeconds: 60, witnessGraceMs: 1000, density: new HexDensityCache() };

describe('PoC processor on PostgreSQL', () => {
  it('applies the denylist, unknown hotspots, unknown entropy and the witness window', async () => {
    const beaconer = hotspot(LOC0);
    const ok = hotspot(LOC4);
    const denied = hotspot(latLngToCell(35.93, 14.42, 12));
    const edge = hotspot(latLngToCell(35.91, 14.46, 12));
    const stranger = hotspot(latLngToCell(35.92, 14.40, 12)); // not in the registry
    await seedHotspots(db.sql, [beaconer, ok, denied, edge]);
    await denyHotspots(db.sql, [denied.keys.address], 'release-7');
    await denyEdges(db.sql, [[edge.keys.address, beaconer.keys.address]]);
    const now = Date.now();
    const entropy = await issueEntropy(db.sql, generateHotspotKeypair(), now - 30_000);
    const beacon = makeBeacon(beaconer, entropy);
    const rx = new Date(now - 10_000);
    const at = (ms: number) => new Date(rx.getTime() + ms);
    await storeBatch(db.sql, [
      accepted('beacon', beacon, rx),
      accepted('witness', makeWitness(ok, beacon), at(100)),
      accepted('witness', makeWitness(denied, beacon), at(200)),
      accepted('witness', makeWitness(edge, beacon), at(300)),
      accepted('witness', makeWitness(stranger, beacon), at(400)),
    ], []);
    // a beacon citing entropy this network never issued
    const forged = makeBeacon(hotspot(LOC4), { ...entropy, data: new Uint8Array(32).fill(1) });
    await storeBatch(db.sql, [accepted('beacon', { ...forged, pub_key: ok.keys.address }, rx)], []);

    expect(await processPendingPocs(db.sql, options, now - 8_000)).toEqual({ beacons: 0, witnesses: 0 }); // window still open
    expect(await processPendingPocs(db.sql, options, now)).toEqual({ beacons: 2, witnesses: 4 });

    const beacons = await db.sql<{ hotspot: string; status: string; reason: string | null }[]>`SELECT hotspot, status, reason FROM beacon_reports`;
    expect(Object.fromEntries(beacons.map((b) => [b.hotspot, b.reason ?? b.status]))).toEqual({ [beaconer.keys.address]: 'valid', [ok.keys.address]: 'bad_entropy' });
    const witnesses = await db.sql<{ hotspot: string; reason: string | null; participant_side: string | null }[]>`SELECT hotspot, reason, participant_side FROM witness_reports`;
    expect(Object.fromEntries(witnesses.map((w) => [w.hotspot, [w.reason, w.participant_side]]))).toEqual({
      [ok.keys.address]: [null, null],
      [denied.keys.address]: ['denied', 'witness'],
      [edge.keys.address]: ['denied_edge', 'witness'],
      [stranger.keys.address]: ['gateway_not_found', 'witness'],
    });
  });

  it('marks reports still pending after 45 minutes as stale, and only those', async () => {
    const lonely = hotspot(LOC4);
    const beacon = makeBeacon(lonely, await issueEntropy(db.sql, generateHotspotKeypair(), Date.now()));
    await storeBatch(db.sql, [
      accepted('witness', makeWitness(lonely, beacon), new Date(Date.now() - 46 * 60_000)),
      accepted('witness', makeWitness(hotspot(LOC0), beacon), new Date(Date.now() - 44 * 60_000)),
    ], []);
    expect(await markStaleReports(db.sql)).toBe(1);
    const rows = await db.sql<{ status: string; reason: string | null }[]>`SELECT status, reason FROM witness_reports WHERE data = ${Buffer.from(beacon.data)} ORDER BY received_at`;
    expect(rows).toEqual([{ status: 'invalid', reason: 'stale' }, { status: 'pending', reason: null }]);
  });
});
