import { cellToParent, getResolution, gridDistance, isValidCell } from 'h3-js';
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { beaconFrame, REGION_PARAMS, type Region } from '@poc/protocol';
import { decodeGwmp, interpretTxAck, startVirtualUdpForwarder, type Rxpk, type RxpkJson, type Txpk, type TxpkAck } from '@poc/hotspot-firmware-bridge';
import type { VirtualForwarder } from '@poc/hotspot-firmware-bridge';
import { CONCENTRATOR_MAX_TX_POWER_DBM, udpForwarderDialectOptions } from './dialects';
import { RadioMedium } from './medium';
import { FORWARDER_DIALECTS, planFleet, type FleetHotspot, type ForwarderDialect } from './plan';
import { DEFAULT_RADIO_MODEL, freeSpacePathLossDb, haversineM, noiseFloorDbm, oracleMaxRssiDbm, simulateLink } from './radio-model';
import { SeededRandom } from './rng';

describe('planFleet', () => {
  const fleet = planFleet({ count: 120, seed: 'plan-test', cheaters: { spoofedLocation: 3, fabricatedRssi: 2, replay: 2 } });

  it('is deterministic in the seed', () => {
    const again = planFleet({ count: 120, seed: 'plan-test', cheaters: { spoofedLocation: 3, fabricatedRssi: 2, replay: 2 } });
    expect(again.map((h) => [h.address, h.h3, h.gainDdbi, h.cheat])).toEqual(fleet.map((h) => [h.address, h.h3, h.gainDdbi, h.cheat]));
    expect(planFleet({ count: 5, seed: 'other' })[0]!.address).not.toBe(fleet[0]!.address);
  });

  it('places hotspots in real towns of EU868 and US915 clusters with res-12 cells and Helium-style names', () => {
    const regions = new Set(fleet.map((h) => h.region));
    expect(regions.has('EU868')).toBe(true);
    expect(regions.has('US915')).toBe(true);
    expect(new Set(planFleet({ count: 2, seed: 1 }).map((h) => h.region))).toEqual(new Set(['EU868', 'US915']));
    for (const h of fleet) {
      expect(isValidCell(h.h3) && getResolution(h.h3)).toBe(12);
      expect(h.town.length).toBeGreaterThan(0);
      expect(h.name).toMatch(/^[a-z]+-[a-z]+-[a-z]+$/);
      expect(h.address.startsWith('1')).toBe(true);
    }
    expect(new Set(fleet.map((h) => h.h3)).size).toBe(fleet.length);
    expect(fleet.map((h) => h.cluster)).toContain('Paris');
  });

  it('puts most same-cluster pairs 0.5–60 km apart', () => {
    let pairs = 0;
    let inRange = 0;
    const honest = fleet.filter((h) => h.cheat !== 'spoofed_location');
    for (const a of honest) {
      for (const b of honest) {
        if (a.index >= b.index || a.cluster !== b.cluster) continue;
        pairs++;
        const d = haversineM(a.lat, a.lng, b.lat, b.lng);
        if (d >= 500 && d <= 60_000) inRange++;
      }
    }
    expect(pairs).toBeGreaterThan(500);
    expect(inRange / pairs).toBeGreaterThan(0.75);
  });

  it('marks cheaters; location spoofers assert a position far from their radio', () => {
    const count = (kind: FleetHotspot['cheat']) => fleet.filter((h) => h.cheat === kind).length;
    expect([count('spoofed_location'), count('fabricated_rssi'), count('replay')]).toEqual([3, 2, 2]);
    for (const h of fleet) {
      const displacement = haversineM(h.lat, h.lng, h.trueLat, h.trueLng);
      if (h.cheat === 'spoofed_location') expect(displacement).toBeGreaterThan(140_000);
      else expect(displacement).toBe(0);
    }
  });
});

describe('path-loss model statistics (fitted outdoor close-in model, n = 2.98, σ = 12 dB)', () => {
  const rng = new SeededRandom('model-stats');
  const f = 867_900_000;
  const link = (distanceM: number) =>
    simulateLink({
      distanceM, frequencyHz: f, txPowerDbm: 14, txGainDdbi: 12, rxGainDdbi: 12, spreadingFactor: 12, bandwidthKhz: 125,
      linkShadow: rng.gaussian(), packetFading: rng.gaussian(), txSite: rng.gaussian(), rxSite: rng.gaussian(),
    });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it('gives mean signal at 1, 5 and 20 km from the fitted curve, with the fitted spread', () => {
    const at = (km: number) => mean(Array.from({ length: 3000 }, () => link(km * 1000).signalDbm));
    // 14 dBm + 2.4 dBi − [120.7 dB + 29.8·log10(d / 1 km)]: −104.3, −125.1, −143.1 dBm.
    expect(at(1)).toBeGreaterThan(-106);
    expect(at(1)).toBeLessThan(-102.5);
    expect(at(5)).toBeGreaterThan(-127);
    expect(at(5)).toBeLessThan(-123.5);
    expect(at(20)).toBeGreaterThan(-145);
    expect(at(20)).toBeLessThan(-141.5);
    const spread = Array.from({ length: 3000 }, () => link(5000).signalDbm);
    const sd = Math.sqrt(mean(spread.map((x) => (x - mean(spread)) ** 2)));
    expect(sd).toBeGreaterThan(DEFAULT_RADIO_MODEL.propagation.shadowingSdDb - 0.8);
    expect(sd).toBeLessThan(DEFAULT_RADIO_MODEL.propagation.shadowingSdDb + 0.8);
  });

  it('reports channel RSSI that floors at the noise, and SNR below 0 on far links', () => {
    const far = Array.from({ length: 2000 }, () => link(20_000));
    const floor = noiseFloorDbm(125);
    for (const r of far) expect(r.rssiDbm).toBeGreaterThanOrEqual(floor);
    expect(mean(far.map((r) => r.snrDb))).toBeLessThan(0);
    expect(Math.max(...far.map((r) => r.snrDb))).toBeLessThanOrEqual(DEFAULT_RADIO_MODEL.propagation.snrCeilingDb);
  });

  it('keeps the share of links above the oracle free-space ceiling small but not zero', () => {
    let above = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const d = 500 + rng.next() * 59_500;
      const r = link(d);
      if (r.rssiDbm > oracleMaxRssiDbm(14, 12, 12, d, f)) above++;
    }
    expect(above / n).toBeGreaterThan(0.0001);
    expect(above / n).toBeLessThan(0.02);
  });

  it('loses links with distance: SF12 hears nearly all at 1 km, most at 5 km, few at 20 km and almost none at 100 km', () => {
    const share = (km: number) => Array.from({ length: 2000 }, () => link(km * 1000).received).filter(Boolean).length / 2000;
    expect(share(1)).toBeGreaterThan(0.97);
    expect(share(5)).toBeGreaterThan(0.7);
    expect(share(5)).toBeLessThan(0.92);
    expect(share(20)).toBeLessThan(0.4);
    expect(share(100)).toBeLessThan(0.05);
    // The oracle's own vector: calc_expected_rssi(12 dBm, 867900024 Hz, 508 m, 81, 83) = −57.334232963418515.
    expect(oracleMaxRssiDbm(12, 81, 83, 508, 867_900_024)).toBeCloseTo(-57.334232963418515, 9);
    expect(freeSpacePathLossDb(508, 867_900_024)).toBeCloseTo(85.334232963418515, 9);
  });
});

/** Oracle witness checks that depend on geometry and radio (oracle/README.md §Verification: frequency to bad_rssi). */
function oracleVerdict(beaconer: FleetHotspot, witness: FleetHotspot, rxpk: Rxpk, txPower: number, beaconFreqHz: number): string {
  const witnessFreqHz = Math.round(rxpk.freq * 1e6);
  if (Math.abs(witnessFreqHz - beaconFreqHz) > 100_000) return 'invalid_frequency';
  if (beaconer.region !== witness.region) return 'invalid_region';
  if (gridDistance(cellToParent(beaconer.h3, 11), cellToParent(witness.h3, 11)) < 8) return 'below_min_distance';
  const d = Math.round(haversineM(beaconer.lat, beaconer.lng, witness.lat, witness.lng));
  if (Math.floor(d / 1000) > 100) return 'max_distance_exceeded';
  if (Math.trunc((rxpk.rssis ?? rxpk.rssi) * 10) / 10 > oracleMaxRssiDbm(txPower, beaconer.gainDdbi, witness.gainDdbi, d, witnessFreqHz)) return 'bad_rssi';
  return 'valid';
}

const TEST_EUI = 'AA555A0000000000';

/** The rxpk as the bridge sees it: in a PUSH_DATA datagram through the bridge's GWMP codec. */
function throughCodec(rxpk: RxpkJson | Rxpk): Rxpk {
  const { payload: _payload, ...json } = rxpk as Partial<Rxpk>;
  const datagram = Buffer.concat([Buffer.from([2, 0, 1, 0]), Buffer.from(TEST_EUI, 'hex'), Buffer.from(JSON.stringify({ rxpk: [json] }))]);
  const decoded = decodeGwmp(datagram);
  if (!decoded.ok || decoded.packet.type !== 'PUSH_DATA') throw new Error(`not a PUSH_DATA: ${JSON.stringify(decoded)}`);
  expect(decoded.packet.rejected).toEqual([]);
  return decoded.packet.rxpk[0]!;
}

/** Has every hotspot of `fleet` send one beacon into `medium`; returns the TX_ACK of each. */
function beaconAll(fleet: FleetHotspot[], transmitters: Map<string, (txpk: Txpk) => TxpkAck | undefined>) {
  return fleet.map((beaconer) => {
    const params = REGION_PARAMS[beaconer.region as Region];
    const frame = beaconFrame(new Uint8Array(51).fill(beaconer.index));
    const txPower = Math.trunc(params.maxEirpDdbm / 10 - beaconer.gainDdbi / 10);
    const ack = transmitters.get(beaconer.address)!({
      imme: true, freq: params.channelFrequencies[beaconer.index % 8]! / 1e6, rfch: 0, powe: txPower, modu: 'LORA',
      datr: beaconer.region === 'EU868' ? 'SF12BW125' : 'SF9BW125', codr: '4/5', ipol: false, size: 52, data: Buffer.from(frame).toString('base64'),
    });
    return { beaconer, txPower, ack };
  });
}

describe('forwarder dialects of a planned fleet', () => {
  it('spreads the four dialects over the fleet, deterministically in the seed, without changing the rest of the plan', () => {
    const fleet = planFleet({ count: 40, seed: 'dialects' });
    const counts = new Map<ForwarderDialect, number>();
    for (const h of fleet) counts.set(h.dialect, (counts.get(h.dialect) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...FORWARDER_DIALECTS].sort());
    expect([...counts.values()]).toEqual([10, 10, 10, 10]);
    expect(planFleet({ count: 40, seed: 'dialects' }).map((h) => h.dialect)).toEqual(fleet.map((h) => h.dialect));
    expect(new Set(planFleet({ count: 4, seed: 'other' }).map((h) => h.dialect)).size).toBe(4);
  });

  it("writes each reception in the hearer's dialect, and the bridge codec decodes it to the radio model's RSSI/SNR", async () => {
    const fleet = planFleet({ count: 60, seed: 'dialect-medium', cheaters: { fabricatedRssi: 2 } });
    const heard: { to: FleetHotspot; rssiDbm: number; snrDb: number; rxpk: RxpkJson }[] = [];
    const medium = new RadioMedium({ seed: 'dialect-medium', deliveryDelayMs: [0, 0], onReception: (r) => heard.push(r) });
    const transmitters = new Map<string, (txpk: Txpk) => TxpkAck | undefined>();
    for (const hotspot of fleet) {
      medium.attach(hotspot, { deliver: () => {}, onTransmit: (handler) => transmitters.set(hotspot.address, handler), close: async () => {} });
    }
    beaconAll(fleet, transmitters);
    const perDialect = new Map<ForwarderDialect, number>();
    for (const { to, rssiDbm, snrDb, rxpk } of heard) {
      perDialect.set(to.dialect, (perDialect.get(to.dialect) ?? 0) + 1);
      const wire = JSON.parse(JSON.stringify(rxpk)) as Record<string, unknown>;
      if (to.dialect === 'semtech' || to.dialect === 'chirpstack') {
        expect(wire.jver).toBeUndefined();
        expect(wire.rssi).toBe(Math.round(rssiDbm));
      } else if (to.dialect === 'sx1302') {
        expect(wire).toMatchObject({ jver: 1, rssis: Math.round(rssiDbm) });
        expect(typeof wire.ftime).toBe('number');
        expect(typeof wire.foff).toBe('number');
      } else {
        expect(wire.jver).toBe(2);
        expect('rssi' in wire || 'lsnr' in wire).toBe(false);
        const [first, second] = wire.rsig as { ant: number; rssic: number }[];
        expect([first!.ant, second!.ant]).toEqual([0, 1]);
        expect(first!.rssic - second!.rssic).toBeGreaterThanOrEqual(2);
        expect(first!.rssic - second!.rssic).toBeLessThanOrEqual(5);
      }
      const decoded = throughCodec(rxpk);
      expect(decoded.rssis ?? decoded.rssi).toBe(Math.round(rssiDbm));
      expect(decoded.lsnr).toBe(Math.round(snrDb * 10) / 10 || 0); // JSON has no -0
      if (to.dialect === 'kerlink') expect(decoded.bestAntenna).toBe(0);
    }
    expect([...perDialect.keys()].sort()).toEqual([...FORWARDER_DIALECTS].sort());
    for (const n of perDialect.values()) expect(n).toBeGreaterThan(20);
  });

  it('clips beacon power to the concentrator maximum with the sx1302 TX_POWER warning', () => {
    const fleet = planFleet({ count: 8, seed: 'clip' });
    const medium = new RadioMedium({ seed: 'clip' });
    const transmitters = new Map<string, (txpk: Txpk) => TxpkAck | undefined>();
    for (const hotspot of fleet) medium.attach(hotspot, { deliver: () => {}, onTransmit: (h) => transmitters.set(hotspot.address, h), close: async () => {} });
    const sent = beaconAll(fleet, transmitters);
    expect(sent.some(({ txPower }) => txPower > CONCENTRATOR_MAX_TX_POWER_DBM)).toBe(true);
    for (const { txPower, ack } of sent) {
      if (txPower > CONCENTRATOR_MAX_TX_POWER_DBM) {
        expect(ack).toEqual({ warn: 'TX_POWER', value: CONCENTRATOR_MAX_TX_POWER_DBM });
        expect(interpretTxAck(ack)).toEqual({ accepted: true, powerDbm: CONCENTRATOR_MAX_TX_POWER_DBM, warning: 'TX_POWER' });
      } else expect(ack).toEqual({ error: 'NONE' });
    }
    medium.detachAll();
  });

  it('sends stat the dialect way over UDP: Kerlink "ackr":null, ChirpStack "stat":null next to every rxpk', async () => {
    const server = createSocket('udp4');
    const datagrams: Buffer[] = [];
    server.on('message', (d) => datagrams.push(d));
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', () => resolve()));
    const port = server.address().port;
    const bodies = async (dialect: ForwarderDialect) => {
      datagrams.length = 0;
      const forwarder = await startVirtualUdpForwarder({ bridgePort: port, gatewayEui: TEST_EUI, statIntervalMs: 20, ...udpForwarderDialectOptions(dialect) });
      forwarder.deliver({ tmst: 1, freq: 868.1, stat: 1, modu: 'LORA', datr: 'SF12BW125', rssi: -100, lsnr: 5, size: 3, data: 'AQID' });
      await expect.poll(() => datagrams.filter((d) => d[3] === 0).length).toBeGreaterThanOrEqual(2);
      await forwarder.close();
      const pushes = datagrams.filter((d) => d[3] === 0);
      for (const push of pushes) expect(decodeGwmp(push)).toMatchObject({ ok: true, packet: { type: 'PUSH_DATA', rejected: [] } });
      return pushes.map((d) => JSON.parse(d.subarray(12).toString()) as { rxpk?: unknown[]; stat?: Record<string, unknown> | null });
    };
    const kerlink = await bodies('kerlink');
    expect(kerlink.find((b) => b.stat)!.stat!.ackr).toBeNull();
    const chirpstack = await bodies('chirpstack');
    expect(chirpstack.find((b) => b.rxpk)).toMatchObject({ stat: null });
    const semtech = await bodies('semtech');
    expect(semtech.find((b) => b.rxpk)!.stat).toBeUndefined();
    expect(typeof semtech.find((b) => b.stat)!.stat!.ackr).toBe('number');
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('radio medium over a planned fleet', () => {
  it('delivers beacons so most witnesses pass the oracle rules and cheaters fail', async () => {
    const fleet = planFleet({ count: 80, seed: 'medium-test', cheaters: { spoofedLocation: 4, fabricatedRssi: 4 } });
    const medium = new RadioMedium({ seed: 'medium-test', deliveryDelayMs: [0, 0] });
    const received: { to: FleetHotspot; rxpk: Rxpk }[] = [];
    const transmitters = new Map<string, (txpk: Txpk) => TxpkAck | undefined>();
    for (const hotspot of fleet) {
      const forwarder: VirtualForwarder = {
        deliver: (rxpk) => received.push({ to: hotspot, rxpk: throughCodec(rxpk) }),
        onTransmit: (handler) => transmitters.set(hotspot.address, handler),
        close: async () => {},
      };
      medium.attach(hotspot, forwarder);
    }
    const verdicts = new Map<string, number>();
    const cheaterVerdicts = new Map<string, number>();
    for (const beaconer of fleet) {
      received.length = 0;
      const params = REGION_PARAMS[beaconer.region as Region];
      const data = new Uint8Array(51).fill(beaconer.index);
      const frame = beaconFrame(data);
      const requestedPower = Math.trunc(params.maxEirpDdbm / 10 - beaconer.gainDdbi / 10);
      const freqHz = params.channelFrequencies[beaconer.index % 8]!;
      const ack = transmitters.get(beaconer.address)!({
        imme: true, freq: freqHz / 1e6, rfch: 0, powe: requestedPower, modu: 'LORA', datr: beaconer.region === 'EU868' ? 'SF12BW125' : 'SF9BW125',
        codr: '4/5', ipol: false, size: 52, data: Buffer.from(frame).toString('base64'),
      });
      // The bridge reports the power the forwarder says it used (clipped to the concentrator's maximum).
      const outcome = interpretTxAck(ack);
      const txPower = outcome.accepted ? (outcome.powerDbm ?? requestedPower) : requestedPower;
      await new Promise((r) => setTimeout(r, 2));
      for (const { to, rxpk } of received) {
        expect(rxpk.stat).toBe(1);
        expect(rxpk.payload).toEqual(frame);
        const verdict = oracleVerdict(beaconer, to, rxpk, txPower, freqHz);
        // A fabricated-RSSI or replay cheater still beacons honestly; its lies are in what it witnesses.
        const bucket = to.cheat || beaconer.cheat === 'spoofed_location' ? cheaterVerdicts : verdicts;
        bucket.set(verdict, (bucket.get(verdict) ?? 0) + 1);
      }
    }
    const total = [...verdicts.values()].reduce((a, b) => a + b, 0);
    const valid = verdicts.get('valid') ?? 0;
    console.info('honest witness verdicts', Object.fromEntries(verdicts), 'cheater-involved', Object.fromEntries(cheaterVerdicts));
    expect(total).toBeGreaterThan(500);
    expect(valid / total).toBeGreaterThan(0.8);
    expect(valid / total).toBeLessThan(1);
    const cheaterTotal = [...cheaterVerdicts.values()].reduce((a, b) => a + b, 0);
    expect((cheaterVerdicts.get('valid') ?? 0) / cheaterTotal).toBeLessThan(0.2);
    expect(medium.stats().fabricated).toBeGreaterThan(0);
  });
});
