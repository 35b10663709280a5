import { decodeStrictBase64, hzToMhz, mhzToHz, parseDatr, type RxpkJson, type Txpk, type TxpkAck } from '@poc/hotspot-firmware-bridge';
import type { VirtualForwarder } from '@poc/hotspot-firmware-bridge';
import { latLngToCell } from 'h3-js';
import { REGION_PARAMS, type Region } from '@poc/protocol';
import { clipTxPower, CONCENTRATOR_MAX_TX_POWER_DBM, rxpkInDialect, type StationHardware } from './dialects';
import type { FleetHotspot } from './plan';
import { DEFAULT_RADIO_MODEL, freeSpacePathLossDb, haversineM, simulateLink, type RadioModelParams } from './radio-model';
import { SeededRandom, hashedGaussian } from './rng';

export interface RadioMediumOptions {
  seed: string | number;
  model?: Partial<RadioModelParams>;
  /** Delay between a transmission and its reception reports, uniform in [min, max] ms (forwarder batching, backhaul). */
  deliveryDelayMs?: [number, number];
  /** How much stronger than received a fabricated-RSSI cheater claims (dB). */
  fabricatedRssiBoostDb?: number;
  /** Conducted power limit of every simulated concentrator (default 27 dBm); beacons asked above it are clipped. */
  maxTxPowerDbm?: number;
  /** Observes each delivery: what the radio model computed (after any cheat) and the rxpk the forwarder wrote. */
  onReception?: (reception: { from: FleetHotspot; to: FleetHotspot; rssiDbm: number; snrDb: number; rxpk: RxpkJson }) => void;
  /** Observes each delivery of a field device's uplink (a mapper's frame) to a hotspot. */
  onDeviceReception?: (reception: { device: string; to: FleetHotspot; rssiDbm: number; snrDb: number; rxpk: RxpkJson }) => void;
}

/** An uplink from a field device (a mapper) at its true position; the device is not a station and hears nothing. */
export interface DeviceUplink {
  /** Names the device in reception callbacks. */
  device: string;
  region: Region;
  lat: number;
  lng: number;
  frame: Uint8Array;
  frequencyHz: number;
  /** LoRa datarate name, e.g. 'SF9BW125'. */
  datr: string;
  /** Conducted power, dBm (default 14, a typical end device). */
  txPowerDbm?: number;
  /** Antenna gain, dBi×10 (default 0: a handheld or car whip). */
  gainDdbi?: number;
}

interface Transmitter {
  key: string;
  region: Region;
  lat: number;
  lng: number;
  gainDdbi: number;
}

export interface RadioMediumStats {
  transmissions: number;
  linksEvaluated: number;
  delivered: number;
  belowSensitivity: number;
  fabricated: number;
}

interface Station {
  hotspot: FleetHotspot;
  forwarder: VirtualForwarder;
  /** Crystal offset of this concentrator, Hz (a few ppm). */
  frequencyOffsetHz: number;
  /** tmst is a free-running µs counter that starts anywhere. */
  tmstBase: number;
  hardware: StationHardware;
}

const GRID_DEGREES = 1;
const gridKey = (lat: number, lng: number) => `${Math.floor(lat / GRID_DEGREES)}:${Math.floor(lng / GRID_DEGREES)}`;

/**
 * The air between simulated hotspots. A txpk from one station is heard by every other station whose
 * received power (radio-model.ts, from the *true* positions) clears the receiver's sensitivity, and
 * arrives there as an rxpk through that station's virtual packet forwarder.
 */
export class RadioMedium {
  private readonly stations = new Map<string, Station>();
  private readonly grid = new Map<string, Station[]>();
  private readonly model: RadioModelParams;
  private readonly fading: SeededRandom;
  private readonly counters: RadioMediumStats = { transmissions: 0, linksEvaluated: 0, delivered: 0, belowSensitivity: 0, fabricated: 0 };

  constructor(private readonly options: RadioMediumOptions) {
    this.model = { ...DEFAULT_RADIO_MODEL, ...options.model };
    this.fading = new SeededRandom(`fading:${options.seed}`);
  }

  attach(hotspot: FleetHotspot, forwarder: VirtualForwarder): void {
    const rng = new SeededRandom(`station:${this.options.seed}:${hotspot.address}`);
    const station: Station = {
      hotspot,
      forwarder,
      frequencyOffsetHz: Math.round((rng.next() * 2 - 1) * 5_000),
      tmstBase: rng.int(0xffff_ffff),
      // Drawn last so the offsets above are what they were before antennas were simulated.
      hardware: { dialect: hotspot.dialect, secondAntennaLossDb: 2 + rng.int(4) },
    };
    this.stations.set(hotspot.address, station);
    const key = gridKey(hotspot.trueLat, hotspot.trueLng);
    const cell = this.grid.get(key) ?? [];
    cell.push(station);
    this.grid.set(key, cell);
    forwarder.onTransmit((txpk) => this.transmit(station, txpk));
  }

  detachAll(): void {
    this.stations.clear();
    this.grid.clear();
  }

  stats(): RadioMediumStats {
    return { ...this.counters };
  }

  private neighbours(lat: number, lng: number): Station[] {
    const out: Station[] = [];
    const baseLat = Math.floor(lat / GRID_DEGREES);
    const baseLng = Math.floor(lng / GRID_DEGREES);
    for (let dLat = -1; dLat <= 1; dLat++) {
      for (let dLng = -2; dLng <= 2; dLng++) {
        const cell = this.grid.get(`${baseLat + dLat}:${baseLng + dLng}`);
        if (cell) out.push(...cell);
      }
    }
    return out;
  }

  /** Shadowing is a property of the pair, the same in both directions and on every packet. */
  private linkShadow(a: string, b: string): number {
    return hashedGaussian(`shadow:${this.options.seed}:${a < b ? `${a}:${b}` : `${b}:${a}`}`);
  }

  /** A hotspot's site (height, clutter, install) raises or lowers all its links alike. */
  private site(address: string): number {
    return hashedGaussian(`site:${this.options.seed}:${address}`);
  }

  private transmit(from: Station, txpk: Txpk): TxpkAck {
    this.counters.transmissions++;
    const frame = decodeStrictBase64(txpk.data);
    const lora = parseDatr(txpk.datr);
    if (!frame || !lora) return { error: 'NONE' };
    const { ack, radiatedDbm: txPower } = clipTxPower(txpk.powe ?? 14, this.options.maxTxPowerDbm ?? CONCENTRATOR_MAX_TX_POWER_DBM);
    const transmitter = { key: from.hotspot.address, region: from.hotspot.region, lat: from.hotspot.trueLat, lng: from.hotspot.trueLng, gainDdbi: from.hotspot.gainDdbi };
    this.radiate(transmitter, from, { frame, data: txpk.data, datr: txpk.datr as string, codr: txpk.codr ?? '4/5', frequencyHz: mhzToHz(txpk.freq), txPowerDbm: txPower, lora }, (reception) =>
      this.options.onReception?.({ from: from.hotspot, ...reception }),
    );
    return ack;
  }

  /**
   * A field device's uplink heard by every station whose received power clears its sensitivity (the same model and
   * draws as hotspot links, with the place it sends from in the role of a hotspot's site). Returns how many stations
   * will receive it.
   */
  transmitFromDevice(uplink: DeviceUplink): number {
    this.counters.transmissions++;
    const lora = parseDatr(uplink.datr);
    if (!lora) throw new Error(`not a LoRa datarate: ${uplink.datr}`);
    // Shadowing and "site" belong to the place, not the device: a res-9 cell's clutter (≈ 350 m across) affects every
    // device sending from it alike, and changes as the device moves on.
    const place = `place:${latLngToCell(uplink.lat, uplink.lng, 9)}`;
    const transmitter = { key: place, region: uplink.region, lat: uplink.lat, lng: uplink.lng, gainDdbi: uplink.gainDdbi ?? 0 };
    const data = Buffer.from(uplink.frame).toString('base64');
    return this.radiate(
      transmitter,
      null,
      { frame: uplink.frame, data, datr: uplink.datr, codr: '4/5', frequencyHz: uplink.frequencyHz, txPowerDbm: uplink.txPowerDbm ?? 14, lora },
      (reception) => this.options.onDeviceReception?.({ device: uplink.device, ...reception }),
    );
  }

  private radiate(
    from: Transmitter,
    fromStation: Station | null,
    packet: { frame: Uint8Array; data: string; datr: string; codr: string; frequencyHz: number; txPowerDbm: number; lora: { spreadingFactor: number; bandwidthKhz: number } },
    observe: (reception: { to: FleetHotspot; rssiDbm: number; snrDb: number; rxpk: RxpkJson }) => void,
  ): number {
    const { frame, frequencyHz, lora } = packet;
    const params = REGION_PARAMS[from.region];
    const chan = Math.max(0, params.channelFrequencies.indexOf(frequencyHz));
    const [minDelay, maxDelay] = this.options.deliveryDelayMs ?? [20, 200];
    const sentAt = performance.now();
    let delivered = 0;
    for (const rx of this.neighbours(from.lat, from.lng)) {
      if (rx === fromStation || rx.hotspot.region !== from.region) continue;
      this.counters.linksEvaluated++;
      const distanceM = haversineM(from.lat, from.lng, rx.hotspot.trueLat, rx.hotspot.trueLng);
      const link = simulateLink(
        {
          distanceM,
          frequencyHz,
          txPowerDbm: packet.txPowerDbm,
          txGainDdbi: from.gainDdbi,
          rxGainDdbi: rx.hotspot.gainDdbi,
          spreadingFactor: lora.spreadingFactor,
          bandwidthKhz: lora.bandwidthKhz,
          linkShadow: this.linkShadow(from.key, rx.hotspot.address),
          packetFading: this.fading.gaussian(),
          txSite: this.site(from.key),
          rxSite: this.site(rx.hotspot.address),
          interference: this.fading.next(),
          // A device a few hundred metres from a hotspot: the fitted spread would allow signals above free space there.
          ...(fromStation ? {} : { minPathLossDb: freeSpacePathLossDb(distanceM, frequencyHz) }),
        },
        this.model,
      );
      if (!link.received) {
        this.counters.belowSensitivity++;
        continue;
      }
      // SX1302's HAL reports the signal RSSI (rssis); SX1301-class forwarders the channel RSSI, which floors at the noise.
      let rssi = rx.hardware.dialect === 'sx1302' ? link.signalDbm : link.rssiDbm;
      if (rx.hotspot.cheat === 'fabricated_rssi') {
        // A modified forwarder claiming a much stronger signal than the radio measured.
        rssi += this.options.fabricatedRssiBoostDb ?? 40;
        this.counters.fabricated++;
      }
      const delay = minDelay + this.fading.next() * (maxDelay - minDelay);
      const airtimeUs = Math.round((performance.now() - sentAt + delay) * 1000);
      const rxpk = rxpkInDialect(rx.hardware, {
        time: new Date(Date.now() + delay).toISOString(),
        tmst: (rx.tmstBase + Math.round(sentAt * 1000) + airtimeUs) >>> 0,
        chan,
        freq: hzToMhz(frequencyHz + rx.frequencyOffsetHz),
        frequencyOffsetHz: rx.frequencyOffsetHz,
        datr: packet.datr,
        codr: packet.codr,
        size: frame.length,
        data: packet.data,
        rssiDbm: rssi,
        snrDb: link.snrDb,
      });
      this.counters.delivered++;
      delivered++;
      observe({ to: rx.hotspot, rssiDbm: rssi, snrDb: link.snrDb, rxpk });
      const timer = setTimeout(() => rx.forwarder.deliver(rxpk), delay);
      timer.unref?.();
    }
    return delivered;
  }
}
