/**
 * Signal classes from a hex's best RSSI. Thresholds follow common LoRa link-budget practice:
 * SF12/125 kHz demodulates down to about −137 dBm, so "weak" still means usable at slow datarates.
 */
export const SIGNAL_CLASSES = [
  { name: 'strong', minRssiDbm: -90, description: 'best RSSI ≥ −90 dBm' },
  { name: 'good', minRssiDbm: -105, description: '−105 dBm ≤ best RSSI < −90 dBm' },
  { name: 'fair', minRssiDbm: -115, description: '−115 dBm ≤ best RSSI < −105 dBm' },
  { name: 'weak', minRssiDbm: -Infinity, description: 'best RSSI < −115 dBm' },
] as const;

export type SignalClass = (typeof SIGNAL_CLASSES)[number]['name'];

/** `rssiDdbm` is dBm×10, as the oracle stores it. */
export function signalClassOf(rssiDdbm: number): SignalClass {
  const dbm = rssiDdbm / 10;
  for (const c of SIGNAL_CLASSES) if (dbm >= c.minRssiDbm) return c.name;
  return 'weak';
}

export const SIGNAL_CLASS_TEXT = SIGNAL_CLASSES.map((c) => `${c.name}: ${c.description}`).join('; ');
