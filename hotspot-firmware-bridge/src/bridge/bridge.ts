import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { hzToMhz, mhzToHz, type Rxpk, type Txpk } from '../gwmp/codec';
import { interpretTxAck } from '../gwmp/tx-ack';
import type { PacketForwarderLink } from '../link/types';
import {
  DATARATES,
  ENTROPY_LIFESPAN_SECONDS,
  LOCAL_ENTROPY_SIZE,
  REGION_PARAMS,
  beaconFrame,
  beaconPayloadFromFrame,
  decodeEntropyPayload,
  encodeMapperReceiptPayload,
  encodeReportPayload,
  isMapperFrame,
  mapperReceiptTopic,
  generateBeacon,
  loraTimeOnAirMs,
  maxConductedPowerDbm,
  parseLoraDatarate,
  reportTopic,
  signBeaconReport,
  signMapperReceipt,
  signWitnessReport,
  verifyEntropy,
  type BeaconReport,
  type Datarate,
  type EntropyReport,
  type HotspotKeypair,
  type Region,
  type MapperReceipt,
  type QueuedReportKind,
  type WitnessReport,
} from '@poc/protocol';
import { AirtimeBudget } from './airtime-budget';
import { nextBeaconTime, segmentOf } from './beacon-schedule';
import { LastSeenCache } from './last-seen';

/** Where signed reports go: the durable queue + MQTT publisher in production, anything in tests. */
export interface ReportSink {
  submit(kind: QueuedReportKind, topic: string, payload: Buffer): Promise<unknown>;
}

export interface HotspotBridgeOptions {
  keypair: HotspotKeypair;
  region: Region;
  /** Antenna gain in dBi×10, as asserted on chain. */
  antennaGainDdbi: number;
  link: PacketForwarderLink;
  sink: ReportSink;
  /** Address of the oracle key whose signed entropy we accept. */
  oracleAddress: string;
  beaconIntervalSeconds: number;
  logger: Logger;
  /** Off for witness-only setups and tests that beacon by hand. */
  beaconing?: boolean;
  random?: () => number;
  nowMs?: () => number;
  /** Source of the 4 local entropy bytes (random by default; fixed in test vectors). */
  localEntropy?: () => Uint8Array;
}

export type BeaconOutcome =
  | { sent: true; report: BeaconReport; txpk: Txpk }
  | { sent: false; reason: string };

export type UplinkOutcome =
  | { witnessed: true; report: WitnessReport }
  /** A mapper device's frame: receipted for the oracle, never a witness. */
  | { witnessed: false; reason: 'mapper_frame'; receipt: MapperReceipt }
  | { witnessed: false; reason: 'crc_not_ok' | 'not_a_beacon' | 'own_beacon' | 'duplicate' | 'unsupported_datarate' | 'sign_failed' };

export interface BridgeStatus {
  address: string;
  region: Region;
  forwarderConnected: boolean;
  entropy: { timestamp: string; ageSeconds: number } | null;
  nextBeaconAt: string | null;
  lastBeacon: { at: string; frequency: number; datarate: Datarate; txPower: number } | null;
  lastWitness: { at: string; frequency: number; signal: number; snr: number } | null;
  counters: Record<string, number>;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** The range a beacon report's tx_power may hold (@poc/protocol reports schema). */
const MIN_TX_POWER_DBM = -30;
const MAX_TX_POWER_DBM = 40;
/** value×10 as gateway-rs does it (`as i32` truncates), without float noise (e.g. -101.4×10 = -1014.0000000000001). */
const tenths = (value: number) => Math.trunc(Number((value * 10).toFixed(6)));
const nowNs = (ms: number) => BigInt(ms) * 1_000_000n;

/**
 * The hotspot's PoC logic, independent of how the packet forwarder is reached: it beacons with the newest
 * oracle-signed entropy on an interval-aligned random schedule, witnesses other hotspots' beacons, and signs
 * every report with the hotspot key before handing it to the sink.
 */
export class HotspotBridge {
  private entropy: EntropyReport | null = null;
  private readonly seen = new LastSeenCache(15);
  private timer: NodeJS.Timeout | null = null;
  private nextBeaconAtMs: number | null = null;
  private lastBeaconSegment: number | null = null;
  private lastBeacon: BridgeStatus['lastBeacon'] = null;
  private lastWitness: BridgeStatus['lastWitness'] = null;
  /** The forwarder's last power limitation, so a forwarder that clips every beacon the same way warns once. */
  private lastLimitation: string | null = null;
  /** The region's duty cycle over a rolling hour (README §Beacon airtime). */
  private readonly airtime: AirtimeBudget;
  /** True while beacons are being withheld for airtime, so a long streak warns once. */
  private withholding = false;
  private stopped = false;
  readonly counters = {
    entropyAccepted: 0,
    entropyRejected: 0,
    beaconsSent: 0,
    beaconsSkipped: 0,
    /** Beacons not sent because they would have exceeded the region's duty cycle (also in beaconsSkipped). */
    beaconsOverDutyCycle: 0,
    /** Beacons not sent because their time on air exceeds the region's dwell time (also in beaconsSkipped). */
    beaconsOverDwellTime: 0,
    witnessesReported: 0,
    mapperReceiptsReported: 0,
    uplinksIgnored: 0,
    duplicatesIgnored: 0,
    ownBeaconsIgnored: 0,
  };
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: HotspotBridgeOptions) {
    this.random = options.random ?? Math.random;
    this.now = options.nowMs ?? Date.now;
    this.airtime = new AirtimeBudget(REGION_PARAMS[options.region].dutyCyclePermille);
    options.link.onUplink((rxpk) => {
      void this.handleUplink(rxpk).catch((error: Error) => options.logger.error({ err: error }, 'uplink handling failed'));
    });
  }

  get address(): string {
    return this.options.keypair.address;
  }

  get region(): Region {
    return this.options.region;
  }

  start(): void {
    if (this.options.beaconing !== false) this.scheduleBeacon();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Feeds an MQTT entropy message. Only entropy signed by the configured oracle and newer than what we have is kept. */
  handleEntropyMessage(payload: Uint8Array): boolean {
    const entropy = decodeEntropyPayload(payload);
    if (!entropy || !verifyEntropy(entropy, this.options.oracleAddress)) {
      this.counters.entropyRejected++;
      this.options.logger.warn({ reason: entropy ? 'not signed by the trusted oracle' : 'malformed' }, 'ignored entropy message');
      return false;
    }
    if (this.entropy && entropy.timestamp <= this.entropy.timestamp) return false;
    this.entropy = entropy;
    this.counters.entropyAccepted++;
    return true;
  }

  private freshEntropy(): EntropyReport | null {
    if (!this.entropy) return null;
    const ageSeconds = this.now() / 1000 - Number(this.entropy.timestamp);
    return ageSeconds <= ENTROPY_LIFESPAN_SECONDS && ageSeconds >= -5 ? this.entropy : null;
  }

  private scheduleBeacon(): void {
    if (this.stopped) return;
    const intervalMs = this.options.beaconIntervalSeconds * 1000;
    const now = this.now();
    const at = nextBeaconTime(now, intervalMs, this.lastBeaconSegment, this.random);
    this.nextBeaconAtMs = at;
    this.timer = setTimeout(() => {
      this.lastBeaconSegment = segmentOf(at, intervalMs);
      void this.beaconNow()
        .catch((error: Error) => this.options.logger.error({ err: error }, 'beacon failed'))
        .finally(() => this.scheduleBeacon());
    }, at - now);
    this.timer.unref?.();
  }

  /** Builds, transmits and reports one beacon now. */
  async beaconNow(): Promise<BeaconOutcome> {
    const { options } = this;
    const entropy = this.freshEntropy();
    if (!entropy) return this.skipBeacon(this.entropy ? 'entropy is older than its 180 s lifespan' : 'no entropy from the oracle yet');
    if (!options.link.isConnected()) return this.skipBeacon('no packet forwarder connected');
    const params = REGION_PARAMS[options.region];
    const localEntropy = options.localEntropy?.() ?? new Uint8Array(randomBytes(LOCAL_ENTROPY_SIZE));
    const beacon = generateBeacon({ remoteEntropy: entropy.data, remoteEntropyTimestamp: entropy.timestamp, localEntropy }, params);
    const frame = beaconFrame(beacon.data);
    const airtimeMs = beaconAirtimeMs(beacon.datarate, frame.length);
    if (params.dwellTimeLimitMs !== null && airtimeMs > params.dwellTimeLimitMs) {
      this.counters.beaconsOverDwellTime++;
      return this.withholdBeacon(`dwell time: ${airtimeMs.toFixed(1)} ms on air at ${beacon.datarate} exceeds ${params.region}'s ${params.dwellTimeLimitMs} ms`, { airtimeMs });
    }
    const at = this.now();
    if (!this.airtime.allows(at, airtimeMs)) {
      this.counters.beaconsOverDutyCycle++;
      const next = this.airtime.availableAtMs(at, airtimeMs);
      return this.withholdBeacon(`duty cycle: ${airtimeMs.toFixed(1)} ms more would exceed ${params.region}'s ${params.dutyCyclePermille} ‰ of the last hour`, {
        airtimeMs,
        usedMs: this.airtime.usedMs(at),
        limitMs: this.airtime.limitMs,
        fitsAgainAt: Number.isFinite(next) ? iso(next) : null,
      });
    }
    const conducted = maxConductedPowerDbm(params, options.antennaGainDdbi);
    const txpk: Txpk = {
      imme: true,
      freq: hzToMhz(beacon.frequency),
      rfch: 0,
      powe: conducted,
      modu: 'LORA',
      datr: beacon.datarate,
      codr: '4/5',
      ipol: false,
      size: frame.length,
      data: Buffer.from(frame).toString('base64'),
    };
    this.seen.add(beacon.data);
    this.ownBeacons.push(Buffer.from(beacon.data).toString('base64'));
    if (this.ownBeacons.length > 4) this.ownBeacons.shift();
    const result = await options.link.transmit(txpk);
    // Without an answer the beacon may have gone on air: it counts against the duty cycle unless refused.
    if (!result.ok) {
      this.airtime.record(at, airtimeMs);
      return this.skipBeacon(`transmit failed: ${result.reason}`);
    }
    const ack = interpretTxAck(result.ack);
    if (!ack.accepted) return this.skipBeacon(`forwarder refused the beacon: ${ack.error}`);
    this.airtime.record(at, airtimeMs);
    this.withholding = false;
    // A forwarder that clips the power (sx1302: warn TX_POWER) says what it used; that is what went on air.
    const reported = ack.powerDbm !== undefined ? Math.trunc(ack.powerDbm) : undefined;
    const txPower = reported !== undefined && reported >= MIN_TX_POWER_DBM && reported <= MAX_TX_POWER_DBM ? reported : conducted;
    if (reported !== undefined && reported !== txPower) options.logger.warn({ reported }, 'TX_ACK power out of range; reporting the requested power');
    const limitation = ack.warning ? `${ack.warning}:${conducted}:${txPower}` : null;
    if (limitation) {
      const log = limitation === this.lastLimitation ? options.logger.debug.bind(options.logger) : options.logger.warn.bind(options.logger);
      log({ warning: ack.warning, requestedDbm: conducted, txPower }, 'forwarder sent the beacon with a limitation');
    }
    this.lastLimitation = limitation;
    const sentAt = this.now();
    const report = signBeaconReport(
      {
        pub_key: this.address,
        local_entropy: localEntropy,
        remote_entropy: entropy.data,
        data: beacon.data,
        frequency: beacon.frequency,
        channel: beacon.channel,
        datarate: beacon.datarate,
        tx_power: txPower,
        timestamp: nowNs(sentAt),
        tmst: 0,
      },
      options.keypair.privateKeyObject,
    );
    await options.sink.submit('beacon', reportTopic(options.region, this.address, 'beacon'), encodeReportPayload('beacon', report));
    this.counters.beaconsSent++;
    this.lastBeacon = { at: iso(sentAt), frequency: beacon.frequency, datarate: beacon.datarate, txPower };
    options.logger.debug({ frequency: beacon.frequency, datarate: beacon.datarate, txPower }, 'beacon sent');
    return { sent: true, report, txpk };
  }

  private skipBeacon(reason: string): BeaconOutcome {
    this.counters.beaconsSkipped++;
    this.options.logger.warn({ reason }, 'beacon skipped');
    return { sent: false, reason };
  }

  /** A beacon the region's airtime rules forbid: never sent, counted; a streak of them warns once, then logs at debug. */
  private withholdBeacon(reason: string, details: Record<string, unknown>): BeaconOutcome {
    this.counters.beaconsSkipped++;
    const log = this.withholding ? this.options.logger.debug.bind(this.options.logger) : this.options.logger.warn.bind(this.options.logger);
    this.withholding = true;
    log({ reason, ...details }, 'beacon withheld by the region airtime rules');
    return { sent: false, reason };
  }

  /** Airtime spent on air in the duty-cycle window ending now, in ms. */
  airtimeUsedMs(): number {
    return this.airtime.usedMs(this.now());
  }

  /** Turns a received packet into a witness report if it is someone else's PoC beacon heard for the first time. */
  async handleUplink(rxpk: Rxpk): Promise<UplinkOutcome> {
    const ignore = (reason: Exclude<UplinkOutcome, { witnessed: true } | { receipt: MapperReceipt }>['reason']): UplinkOutcome => {
      if (reason === 'duplicate') this.counters.duplicatesIgnored++;
      else if (reason === 'own_beacon') this.counters.ownBeaconsIgnored++;
      else this.counters.uplinksIgnored++;
      return { witnessed: false, reason };
    };
    if (rxpk.stat !== 1) return ignore('crc_not_ok');
    if (isMapperFrame(rxpk.payload)) {
      if (this.seen.has(rxpk.payload)) return ignore('duplicate'); // the same frame on a second antenna or channel
      this.seen.add(rxpk.payload);
      return { witnessed: false, reason: 'mapper_frame', receipt: await this.reportMapperFrame(rxpk) };
    }
    const data = beaconPayloadFromFrame(rxpk.payload);
    if (!data) return ignore('not_a_beacon');
    if (this.seen.has(data)) {
      return ignore(this.lastOwnBeacon(data) ? 'own_beacon' : 'duplicate');
    }
    const datarate = typeof rxpk.datr === 'string' ? (DATARATES as readonly string[]).includes(rxpk.datr) && (rxpk.datr as Datarate) : false;
    if (!datarate) return ignore('unsupported_datarate');
    this.seen.add(data);
    const receivedAt = this.now();
    const rssi = rxpk.rssis ?? rxpk.rssi;
    const report = signWitnessReport(
      {
        pub_key: this.address,
        data,
        timestamp: nowNs(receivedAt),
        tmst: rxpk.tmst,
        signal: tenths(rssi),
        snr: tenths(rxpk.lsnr ?? 0),
        frequency: mhzToHz(rxpk.freq),
        datarate,
      },
      this.options.keypair.privateKeyObject,
    );
    await this.options.sink.submit('witness', reportTopic(this.options.region, this.address, 'witness'), encodeReportPayload('witness', report));
    this.counters.witnessesReported++;
    this.lastWitness = { at: iso(receivedAt), frequency: report.frequency, signal: report.signal, snr: report.snr };
    return { witnessed: true, report };
  }

  /**
   * A mapper device's frame heard: a signed receipt with the radio metadata, queued durably and published at QoS 1 on
   * this hotspot's mapper topic (hotspot-firmware-bridge/README.md §Mapper devices). The oracle authenticates the frame.
   */
  private async reportMapperFrame(rxpk: Rxpk): Promise<MapperReceipt> {
    const receivedAt = this.now();
    const datarate = typeof rxpk.datr === 'string' && (DATARATES as readonly string[]).includes(rxpk.datr) ? (rxpk.datr as Datarate) : 'SF12BW125';
    const gatewayTimeMs = rxpk.time === undefined ? Number.NaN : Date.parse(rxpk.time);
    const receipt = signMapperReceipt(
      {
        pub_key: this.address,
        frame: rxpk.payload,
        timestamp: nowNs(receivedAt),
        tmst: rxpk.tmst,
        signal: Math.max(-2000, Math.min(300, tenths(rxpk.rssis ?? rxpk.rssi))),
        snr: Math.max(-500, Math.min(500, tenths(rxpk.lsnr ?? 0))),
        frequency: mhzToHz(rxpk.freq),
        gateway_time: Number.isFinite(gatewayTimeMs) && gatewayTimeMs > 0 ? nowNs(gatewayTimeMs) : 0n,
        datarate,
      },
      this.options.keypair.privateKeyObject,
    );
    await this.options.sink.submit('mapper', mapperReceiptTopic(this.options.region, this.address), encodeMapperReceiptPayload(receipt));
    this.counters.mapperReceiptsReported++;
    return receipt;
  }

  /** Our last few beacon payloads, to tell "heard our own beacon" from a duplicate in the stats. */
  private readonly ownBeacons: string[] = [];
  private lastOwnBeacon(data: Uint8Array): boolean {
    return this.ownBeacons.includes(Buffer.from(data).toString('base64'));
  }

  status(): BridgeStatus {
    const now = this.now();
    return {
      address: this.address,
      region: this.options.region,
      forwarderConnected: this.options.link.isConnected(),
      entropy: this.entropy
        ? { timestamp: this.entropy.timestamp.toString(), ageSeconds: Math.round(now / 1000 - Number(this.entropy.timestamp)) }
        : null,
      nextBeaconAt: this.nextBeaconAtMs ? iso(this.nextBeaconAtMs) : null,
      lastBeacon: this.lastBeacon,
      lastWitness: this.lastWitness,
      counters: { ...this.counters },
    };
  }
}

/** Time on air of a beacon frame at a LoRa datarate (SPEC.md §Time on air); beacons are LoRa, so a non-LoRa datarate is a bug. */
function beaconAirtimeMs(datarate: Datarate, frameBytes: number): number {
  const lora = parseLoraDatarate(datarate);
  if (!lora) throw new Error(`beacon datarate ${datarate} is not LoRa`);
  return loraTimeOnAirMs({ spreadingFactor: lora.spreadingFactor, bandwidthHz: lora.bandwidthKhz * 1000, payloadBytes: frameBytes });
}
