import type { RxpkJson, Stat, TxpkAck, VirtualUdpForwarderOptions } from '@poc/hotspot-firmware-bridge';
import type { ForwarderDialect } from './plan';

/** Conducted power limit of a typical concentrator front end (SX1302 + PA), dBm. */
export const CONCENTRATOR_MAX_TX_POWER_DBM = 27;

/** What a simulated concentrator heard, before a forwarder writes it down. */
export interface Reception {
  time: string;
  tmst: number;
  chan: number;
  freq: number;
  /** Crystal offset of the receiving concentrator, Hz. */
  frequencyOffsetHz: number;
  datr: string;
  codr: string;
  size: number;
  data: string;
  /** What the radio model computed (after any cheat), dBm and dB. */
  rssiDbm: number;
  snrDb: number;
}

/** Per-station hardware: Kerlink gateways have two antennas, the second a few dB weaker. */
export interface StationHardware {
  dialect: ForwarderDialect;
  secondAntennaLossDb: number;
}

/** The values every dialect reports: RSSI to 1 dB, SNR to 0.1 dB, as the Semtech forwarder writes them. */
export const reportedRssi = (rssiDbm: number) => Math.round(rssiDbm);
export const reportedSnr = (snrDb: number) => Math.round(snrDb * 10) / 10;

/** The rxpk JSON this station's forwarder writes for a reception, with the signal where its dialect puts it. */
export function rxpkInDialect(hardware: StationHardware, reception: Reception): RxpkJson {
  const rssi = reportedRssi(reception.rssiDbm);
  const lsnr = reportedSnr(reception.snrDb);
  const common = {
    time: reception.time,
    tmst: reception.tmst,
    chan: reception.chan,
    rfch: 0,
    freq: reception.freq,
    stat: 1 as const,
    modu: 'LORA' as const,
    datr: reception.datr,
    codr: reception.codr,
    size: reception.size,
    data: reception.data,
  };
  switch (hardware.dialect) {
    case 'semtech':
    case 'chirpstack':
      return { ...common, rssi, lsnr };
    case 'sx1302': {
      // The HAL's signal RSSI is the channel RSSI corrected by a negative SNR; the bridge reports the signal RSSI.
      const channelRssi = lsnr < 0 ? Math.round(rssi - lsnr) : rssi;
      const ftime = (Date.parse(reception.time) % 1000) * 1_000_000;
      return { jver: 1, ...common, mid: 0, ftime, rssi: channelRssi, rssis: rssi, lsnr, foff: reception.frequencyOffsetHz };
    }
    case 'kerlink': {
      const { rfch: _rfch, ...rest } = common;
      const loss = hardware.secondAntennaLossDb;
      return {
        jver: 2,
        ...rest,
        brd: 0,
        aesk: 0,
        rsig: [
          { ant: 0, chan: reception.chan, rssic: rssi, lsnr },
          { ant: 1, chan: reception.chan, rssic: rssi - loss, lsnr: reportedSnr(reception.snrDb - loss) },
        ],
      };
    }
  }
}

/** How this dialect's forwarder writes its stat reports and uplink datagrams. */
export function udpForwarderDialectOptions(dialect: ForwarderDialect): Pick<VirtualUdpForwarderOptions, 'formatStat' | 'nullStatWithUplinks'> {
  switch (dialect) {
    case 'kerlink':
      return { formatStat: (stat: Stat) => ({ ...stat, ackr: null }) };
    case 'chirpstack':
      return { nullStatWithUplinks: true };
    default:
      return {};
  }
}

/**
 * The concentrator sends at most its hardware maximum and says so the sx1302_hal way (TX_ACK `warn: TX_POWER` with the
 * power used). Returns that ack and the power that really went on air.
 */
export function clipTxPower(requestedDbm: number, maxDbm = CONCENTRATOR_MAX_TX_POWER_DBM): { ack: TxpkAck; radiatedDbm: number } {
  if (requestedDbm <= maxDbm) return { ack: { error: 'NONE' }, radiatedDbm: requestedDbm };
  return { ack: { warn: 'TX_POWER', value: maxDbm }, radiatedDbm: maxDbm };
}
