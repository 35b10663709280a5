import { greatCircleDistance, UNITS } from 'h3-js';

const SPEED_OF_LIGHT_M_S = 299_792_458;
/** RSSI a concentrator may read above the true signal (calibration, antenna mismatch), dB. */
export const RSSI_MARGIN_DB = 6;
/** Fastest a mapper device is believed to move between fixes (250 km/h), m/s. */
export const MAX_MAPPER_SPEED_M_S = 70;
/** Fixes closer in time than this are checked against this distance instead (GPS jitter), m. */
export const SPEED_JITTER_M = 200;
/** A fix needs this many satellites and at most this HDOP×10 to be placed in a res-9 cell (≈ 175 m edge). */
export const MIN_SATELLITES = 4;
export const MAX_HDOP_DECI = 50;
/** Hotspots this close to a fix that were active in the last hour and heard nothing are logged as evidence, m. */
export const SILENT_HOTSPOT_RADIUS_M = 1000;

export const distanceM = (a: { lat: number; lng: number }, b: { lat: number; lng: number }) =>
  greatCircleDistance([a.lat, a.lng], [b.lat, b.lng], UNITS.m);

export function freeSpacePathLossDb(distance: number, frequencyHz: number): number {
  return 20 * Math.log10((4 * Math.PI * Math.max(1, distance) * frequencyHz) / SPEED_OF_LIGHT_M_S);
}

/**
 * The strongest RSSI (dBm) a hotspot can read from a device at `distance`: the region's maximum EIRP plus the hotspot's
 * antenna gain minus free-space loss, plus a measurement margin. Free space is the most optimistic propagation there
 * is, so a stronger reading means the device was not where it claims (or the hotspot did not hear it).
 */
export function maxMapperRssiDbm(o: { distanceM: number; frequencyHz: number; maxEirpDdbm: number; hotspotGainDdbi: number }): number {
  return o.maxEirpDdbm / 10 + o.hotspotGainDdbi / 10 - freeSpacePathLossDb(o.distanceM, o.frequencyHz) + RSSI_MARGIN_DB;
}

/** Is moving `meters` in `seconds` believable for a mapper device? */
export function plausibleMove(meters: number, seconds: number): boolean {
  return meters <= SPEED_JITTER_M || meters <= MAX_MAPPER_SPEED_M_S * Math.max(0, seconds);
}
