import type { PropagationModel } from './model';

/**
 * Regional prior fitted on real receptions: the close-in model (fit.ts fitCloseIn) on the committed CampusIoT
 * Helium extract (fixtures/README.md; EU868, Grenoble, 2021–2023, 3,227 receptions beyond 100 m).
 * fixture.test.ts refits the fixture and fails if these constants drift from what the data gives.
 *
 * - exponent 3.21 and spread 15.8 dB: the fit itself (signal from measuredSignalDbm with this noise floor).
 * - noise floor −115 dBm: median channel RSSI of receptions with SNR in [−10, 0] dB (the floor real forwarders show).
 * - SNR ceiling 10 dB: the demodulator's estimate saturates (the data's highest SNR is 10.8 dB).
 * - frequency: the close-in model's free-space term, 20 dB per decade (the data spans 867–868.5 MHz only).
 * Other regions use the same fit with their own frequency until links measured there refine it per hotspot.
 */
export const REGIONAL_PRIOR: Readonly<PropagationModel> = Object.freeze({
  pathLossAt1kmDb: 127.7,
  exponent: 3.21,
  shadowingSdDb: 15.8,
  frequencyDbPerDecade: 20,
  referenceFrequencyHz: 868_000_000,
  noiseFloorDbm: -115,
  snrCeilingDb: 10,
  minDistanceM: 100,
});

/** Fit quality of REGIONAL_PRIOR, as shown beside it. */
export const REGIONAL_PRIOR_FIT = Object.freeze({ n: 3227, residualSdDb: 15.8, dataSet: 'CampusIoT/datasets Helium (ODbL-1.0)' });

/**
 * Outdoor links: the same close-in fit on the rooftop device alone (Elsys EMS on Tour Perret, 1,464 receptions,
 * 0.7–12.7 km). Hotspot-to-hotspot witness links are outdoor at both ends, so the simulator's air and the oracle's
 * location plausibility use this one; the indoor and mobile devices of the data lose ~7–15 dB more at 1 km.
 */
export const OUTDOOR_LINK_PRIOR: Readonly<PropagationModel> = Object.freeze({
  ...REGIONAL_PRIOR,
  pathLossAt1kmDb: 120.7,
  exponent: 2.98,
  shadowingSdDb: 12.0,
});

export const OUTDOOR_LINK_PRIOR_FIT = Object.freeze({ n: 1464, residualSdDb: 12.0, dataSet: 'CampusIoT/datasets Helium, device EMS_A81758FFFE04B1C1 (ODbL-1.0)' });
