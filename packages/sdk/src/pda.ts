/** Program-derived addresses of poc-network (seeds as in programs/poc-network/src/state.rs). */
import { PublicKey } from '@solana/web3.js';
import { u64Le } from './merkle';

export const POC_NETWORK_PROGRAM_ID = new PublicKey('4EtdmGR8cRUh1XT9JEJYB9bQGwQv2fsykqEzAMY6fwjM');
export const TOKEN_PROGRAM_ID = new PublicKey('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
export const ASSOCIATED_TOKEN_PROGRAM_ID = new PublicKey('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');
export const BPF_LOADER_UPGRADEABLE_PROGRAM_ID = new PublicKey('BPFLoaderUpgradeab1e11111111111111111111111');
export const REWARD_DECIMALS = 6;

const enc = (s: string) => new TextEncoder().encode(s);

export class PocNetworkPdas {
  constructor(readonly programId: PublicKey = POC_NETWORK_PROGRAM_ID) {}

  private find(seeds: Uint8Array[]): PublicKey {
    return PublicKey.findProgramAddressSync(seeds, this.programId)[0];
  }
  network(): PublicKey {
    return this.find([enc('network')]);
  }
  rewardMint(): PublicKey {
    return this.find([enc('reward_mint')]);
  }
  treasury(): PublicKey {
    return this.find([enc('treasury')]);
  }
  maker(authority: PublicKey): PublicKey {
    return this.find([enc('maker'), authority.toBytes()]);
  }
  hotspot(hotspotKey: PublicKey): PublicKey {
    return this.find([enc('hotspot'), hotspotKey.toBytes()]);
  }
  epoch(epoch: bigint | number): PublicKey {
    return this.find([enc('epoch'), u64Le(BigInt(epoch))]);
  }
  /** The upgradeable loader's ProgramData account of the program (names its upgrade authority). */
  programData(): PublicKey {
    return PublicKey.findProgramAddressSync([this.programId.toBytes()], BPF_LOADER_UPGRADEABLE_PROGRAM_ID)[0];
  }
  /** The owner's associated token account of the reward mint. */
  rewardTokenAccount(owner: PublicKey): PublicKey {
    return PublicKey.findProgramAddressSync(
      [owner.toBytes(), TOKEN_PROGRAM_ID.toBytes(), this.rewardMint().toBytes()],
      ASSOCIATED_TOKEN_PROGRAM_ID,
    )[0];
  }
}
