/**
 * LoRa time on air, the formula of Semtech's SX1272/3/6/7/8 datasheets (§4.1.1.7) and AN1200.13 "LoRa Modem
 * Designer's Guide", which the SX1302 packet forwarder uses too (SPEC.md §Time on air):
 *
 *   Tsym     = 2^SF / BW
 *   Tpreamble = (nPreamble + 4.25) · Tsym
 *   nPayload = 8 + max(ceil((8·PL − 4·SF + 28 + 16·CRC − 20·IH) / (4·(SF − 2·DE))) · (CR + 4), 0)
 *   ToA      = Tpreamble + nPayload · Tsym
 *
 * PL is the PHY payload in bytes, IH = 1 for an implicit header, DE = 1 with low-datarate optimisation (on when a
 * symbol lasts 16 ms or more: SF11 and SF12 at 125 kHz), CR = 1 for coding rate 4/5 … 4 for 4/8.
 */
export interface LoraAirtimeInput {
  spreadingFactor: number;
  bandwidthHz: number;
  /** PHY payload length in bytes (for a beacon: MHDR + payload). */
  payloadBytes: number;
  /** 4/(4 + codingRate): 1 = 4/5 (LoRaWAN) … 4 = 4/8. */
  codingRate?: 1 | 2 | 3 | 4;
  /** Programmed preamble length; LoRaWAN uses 8. */
  preambleSymbols?: number;
  explicitHeader?: boolean;
  crc?: boolean;
  /** Forced on/off; by default on when a symbol lasts ≥ 16 ms, as the SX127x datasheet recommends. */
  lowDatarateOptimize?: boolean;
}

/** Time on air in milliseconds (not rounded). Throws a RangeError on a spreading factor, bandwidth or size LoRa cannot send. */
export function loraTimeOnAirMs(input: LoraAirtimeInput): number {
  const { spreadingFactor: sf, bandwidthHz: bw, payloadBytes: pl } = input;
  if (!Number.isInteger(sf) || sf < 5 || sf > 12) throw new RangeError(`spreading factor ${sf} is not 5..12`);
  if (!Number.isFinite(bw) || bw <= 0) throw new RangeError(`bandwidth ${bw} Hz is not positive`);
  if (!Number.isInteger(pl) || pl < 0 || pl > 255) throw new RangeError(`payload of ${pl} bytes is not 0..255`);
  const cr = input.codingRate ?? 1;
  const preamble = input.preambleSymbols ?? 8;
  const symbolMs = (2 ** sf / bw) * 1000;
  const de = (input.lowDatarateOptimize ?? symbolMs >= 16) ? 1 : 0;
  const ih = input.explicitHeader === false ? 1 : 0;
  const crc = input.crc === false ? 0 : 1;
  const bits = 8 * pl - 4 * sf + 28 + 16 * crc - 20 * ih;
  const payloadSymbols = 8 + Math.max(Math.ceil(bits / (4 * (sf - 2 * de))) * (cr + 4), 0);
  return (preamble + 4.25) * symbolMs + payloadSymbols * symbolMs;
}
