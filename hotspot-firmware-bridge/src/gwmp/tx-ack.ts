import type { TxpkAck } from './codec';

/** What a TX_ACK says about one downlink: sent (maybe at another power), or refused and why. */
export type TxAckOutcome =
  | { accepted: true; powerDbm?: number; warning?: string }
  | { accepted: false; error: string };

const asNumber = (value: unknown): number | undefined => {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
};

/**
 * Reads the dialects of txpk_ack:
 * - no JSON, `{}`, `"error":"NONE"` or `"error":""` (some forwarders): sent as asked;
 * - `"error":"<reason>"`: refused (v1 forwarders also refuse an unsupported power this way, `"error":"TX_POWER"`);
 * - `"warn":"TX_POWER","value":20` (sx1302_hal lora_pkt_fwd, PROTOCOL v1.5): sent, but clipped to `value` dBm;
 * - `"powe"`: the power used, from forwarders that always report it.
 */
export function interpretTxAck(ack: TxpkAck | undefined): TxAckOutcome {
  if (!ack) return { accepted: true };
  const error = typeof ack.error === 'string' ? ack.error.trim() : '';
  if (error !== '' && error !== 'NONE') return { accepted: false, error };
  const warning = typeof ack.warn === 'string' && ack.warn.trim() !== '' && ack.warn !== 'NONE' ? ack.warn : undefined;
  const clipped = warning === 'TX_POWER' ? asNumber(ack.value) : undefined;
  const powerDbm = clipped ?? asNumber(ack.powe);
  return {
    accepted: true,
    ...(powerDbm !== undefined ? { powerDbm } : {}),
    ...(warning !== undefined ? { warning } : {}),
  };
}
