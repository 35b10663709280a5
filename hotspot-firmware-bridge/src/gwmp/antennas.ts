import { z } from 'zod';

/**
 * Per-antenna signal data of `jver: 2` forwarders (Kerlink iBTS/iFemtoCell/iStation, Kerlink's wirnet packet forwarder):
 * an rxpk carries an `rsig` array, one entry per antenna that heard the packet, and no top-level rssi/lsnr.
 */
export const rsigSchema = z.looseObject({
  ant: z.number().int().nonnegative().optional(),
  chan: z.number().int().nonnegative().optional(),
  /** Channel RSSI (dBm): the `rssi` of single-antenna forwarders. */
  rssic: z.number().min(-200).max(50).optional(),
  /** Signal RSSI (dBm): the `rssis` of single-antenna forwarders. */
  rssis: z.number().min(-200).max(50).optional(),
  rssisd: z.number().nonnegative().optional(),
  lsnr: z.number().min(-50).max(50).optional(),
  /** Encrypted fine timestamp (base64) and the plain one (ns in the second, -1 when not available). */
  etime: z.string().max(64).optional(),
  ftime: z.number().int().optional(),
  foff: z.number().optional(),
  ftstat: z.number().int().optional(),
  ftver: z.number().int().optional(),
  ftdelta: z.number().optional(),
});
export type Rsig = z.output<typeof rsigSchema>;

/** At most this many antennas per packet: the largest Kerlink gateways have 2 × 8 boards. */
export const MAX_ANTENNAS = 16;

export interface AntennaSignal {
  rssi: number;
  rssis?: number;
  lsnr?: number;
  /** `ant` of the chosen entry, or its index in rsig when the forwarder gives none. */
  antenna: number;
}

/**
 * The antenna that heard the packet best: highest signal RSSI (rssis, else the channel RSSI), then highest SNR.
 * Entries without a channel RSSI carry no usable signal and are skipped; null when none is usable.
 */
export function bestAntenna(rsig: readonly Rsig[]): AntennaSignal | null {
  let best: AntennaSignal | null = null;
  rsig.forEach((entry, index) => {
    if (entry.rssic === undefined) return;
    const candidate: AntennaSignal = {
      rssi: entry.rssic,
      ...(entry.rssis !== undefined ? { rssis: entry.rssis } : {}),
      ...(entry.lsnr !== undefined ? { lsnr: entry.lsnr } : {}),
      antenna: entry.ant ?? index,
    };
    if (!best || isStronger(candidate, best)) best = candidate;
  });
  return best;
}

function isStronger(a: AntennaSignal, b: AntennaSignal): boolean {
  const signalA = a.rssis ?? a.rssi;
  const signalB = b.rssis ?? b.rssi;
  if (signalA !== signalB) return signalA > signalB;
  return (a.lsnr ?? -Infinity) > (b.lsnr ?? -Infinity);
}
