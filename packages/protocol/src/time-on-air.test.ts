import { describe, expect, it } from 'vitest';
import { loraTimeOnAirMs } from './time-on-air';

// Expected values worked by hand from the datasheet formula (src/time-on-air.ts) and matching Semtech's LoRa
// calculator (preamble 8, explicit header, CRC on, CR 4/5).
describe('loraTimeOnAirMs', () => {
  it('matches the Semtech calculator for LoRaWAN frames at 125 kHz', () => {
    // SF7, 20 B: Tsym 1.024 ms; 12.25 + (8 + ceil(176/28)·5 = 43) symbols = 56.576 ms.
    expect(loraTimeOnAirMs({ spreadingFactor: 7, bandwidthHz: 125_000, payloadBytes: 20 })).toBeCloseTo(56.576, 6);
    // SF12, 51 B, low-datarate optimisation: Tsym 32.768 ms; 12.25 + (8 + ceil(404/40)·5 = 63) symbols = 2465.792 ms.
    expect(loraTimeOnAirMs({ spreadingFactor: 12, bandwidthHz: 125_000, payloadBytes: 51 })).toBeCloseTo(2465.792, 6);
    // SF9, 52 B (a beacon frame): Tsym 4.096 ms; 12.25 + (8 + ceil(424/36)·5 = 68) symbols = 328.704 ms.
    expect(loraTimeOnAirMs({ spreadingFactor: 9, bandwidthHz: 125_000, payloadBytes: 52 })).toBeCloseTo(328.704, 6);
    // SF10, 52 B: Tsym 8.192 ms; 12.25 + (8 + ceil(420/40)·5 = 63) symbols = 616.448 ms.
    expect(loraTimeOnAirMs({ spreadingFactor: 10, bandwidthHz: 125_000, payloadBytes: 52 })).toBeCloseTo(616.448, 6);
    // SF11, 52 B (DE on, Tsym 16.384 ms): 12.25 + (8 + ceil(412/36)·5 = 68) symbols = 1314.816 ms.
    expect(loraTimeOnAirMs({ spreadingFactor: 11, bandwidthHz: 125_000, payloadBytes: 52 })).toBeCloseTo(1314.816, 6);
  });

  it('turns low-datarate optimisation on only for symbols of 16 ms or more', () => {
    // SF12 at 500 kHz: Tsym 8.192 ms, no DE: 12.25 + (8 + ceil(412/48)·5 = 53) symbols = 534.528 ms.
    expect(loraTimeOnAirMs({ spreadingFactor: 12, bandwidthHz: 500_000, payloadBytes: 51 })).toBeCloseTo(534.528, 6);
    // Forcing DE on at SF12/125 kHz changes nothing; forcing it off shortens the frame (ceil(404/48) = 9 → 53 symbols).
    expect(loraTimeOnAirMs({ spreadingFactor: 12, bandwidthHz: 125_000, payloadBytes: 51, lowDatarateOptimize: false })).toBeCloseTo(2138.112, 6);
  });

  it('honours header, CRC, coding rate and preamble options', () => {
    // SF7, 20 B, implicit header, no CRC: bits 160 − 28 + 28 − 20 = 140 → ceil(140/28) = 5 → 33 symbols + 12.25.
    expect(loraTimeOnAirMs({ spreadingFactor: 7, bandwidthHz: 125_000, payloadBytes: 20, explicitHeader: false, crc: false })).toBeCloseTo(46.336, 6);
    // CR 4/8: 7 · 8 = 56 payload symbols + 8 → 64 + 12.25 = 76.25 symbols.
    expect(loraTimeOnAirMs({ spreadingFactor: 7, bandwidthHz: 125_000, payloadBytes: 20, codingRate: 4 })).toBeCloseTo(78.08, 6);
    // A 16-symbol preamble adds 8 symbols.
    expect(loraTimeOnAirMs({ spreadingFactor: 7, bandwidthHz: 125_000, payloadBytes: 20, preambleSymbols: 16 })).toBeCloseTo(64.768, 6);
  });

  it('an empty payload still carries the 8 header symbols', () => {
    // SF7, 0 B: bits −28 + 28 + 16 = 16 → ceil(16/28) = 1 → 5 + 8 = 13 symbols + 12.25 = 25.25 symbols.
    expect(loraTimeOnAirMs({ spreadingFactor: 7, bandwidthHz: 125_000, payloadBytes: 0 })).toBeCloseTo(25.856, 6);
  });

  it('refuses what LoRa cannot send', () => {
    expect(() => loraTimeOnAirMs({ spreadingFactor: 13, bandwidthHz: 125_000, payloadBytes: 10 })).toThrow(RangeError);
    expect(() => loraTimeOnAirMs({ spreadingFactor: 7, bandwidthHz: 0, payloadBytes: 10 })).toThrow(RangeError);
    expect(() => loraTimeOnAirMs({ spreadingFactor: 7, bandwidthHz: 125_000, payloadBytes: 256 })).toThrow(RangeError);
    expect(() => loraTimeOnAirMs({ spreadingFactor: 7, bandwidthHz: 125_000, payloadBytes: 1.5 })).toThrow(RangeError);
  });
});
