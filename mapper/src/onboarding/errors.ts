import { POC_NETWORK_IDL } from '@poc/sdk';
import { HttpError } from '../http-errors';

const PROGRAM_ERRORS = new Map<number, { name: string; msg: string }>(POC_NETWORK_IDL.errors.map((e) => [e.code, e]));

/** What the chain said, as a specific error the user can act on. */
export function chainError(error: unknown, during: string): HttpError {
  const text = [(error as Error).message ?? String(error), ...(((error as { logs?: string[] }).logs ?? []) as string[])].join('\n');
  const custom = /custom program error: 0x([0-9a-f]+)/i.exec(text);
  if (custom) {
    const code = parseInt(custom[1]!, 16);
    const known = PROGRAM_ERRORS.get(code);
    if (known) {
      const codes: Record<string, [number, string]> = {
        WrongMaker: [409, 'unknown_maker'],
        InvalidPossessionProof: [400, 'bad_possession_signature'],
        MissingPossessionProof: [400, 'bad_possession_signature'],
        InvalidLocation: [400, 'invalid_location'],
        InvalidGain: [400, 'invalid_gain'],
        InvalidElevation: [400, 'invalid_elevation'],
        NotHotspotOwner: [403, 'not_hotspot_owner'],
        NothingToClaim: [409, 'nothing_to_claim'],
        InvalidMerkleProof: [409, 'stale_rewards_proof'],
        StaleEpochRoot: [409, 'stale_rewards_proof'],
        FeeAboveMaximum: [409, 'fee_changed'],
      };
      const [status, name] = codes[known.name] ?? [400, `program_${known.name.replace(/[A-Z]/g, (c, i) => (i ? '_' : '') + c.toLowerCase())}`];
      return new HttpError(status, name, `${during} was refused by the network program: ${known.msg}`);
    }
  }
  if (/already in use/i.test(text)) return new HttpError(409, 'already_onboarded', `${during} failed: this hotspot is already onboarded`);
  if (/insufficient (lamports|funds)|no record of a prior credit/i.test(text)) {
    return new HttpError(402, 'insufficient_funds', `${during} failed: your wallet does not hold enough SOL for the fees and the transaction fee`);
  }
  if (/blockhash not found|block height exceeded/i.test(text)) return new HttpError(409, 'transaction_expired', `${during} took too long and the transaction expired; prepare it again`);
  if (/fetch failed|ECONNREFUSED|failed to get|socket hang up/i.test(text)) return new HttpError(503, 'chain_unreachable', `${during} failed: the chain RPC cannot be reached (${text.split('\n')[0]})`);
  return new HttpError(502, 'chain_rejected', `${during} was rejected by the chain: ${text.split('\n').slice(0, 3).join(' | ')}`);
}
