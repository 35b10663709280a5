import { describe, expect, it } from 'vitest';
import { walletChainFor } from './service';

describe('walletChainFor', () => {
  it('names the public clusters by genesis hash, whatever RPC serves them', () => {
    expect(walletChainFor('https://rpc.example.com', '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d')).toBe('solana:mainnet');
    expect(walletChainFor('https://rpc.example.com', 'EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG')).toBe('solana:devnet');
    expect(walletChainFor('http://127.0.0.1:8899', '4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY')).toBe('solana:testnet');
  });
  it('calls a chain on this machine localnet', () => {
    for (const url of ['http://127.0.0.1:8899', 'http://localhost:40123', 'http://[::1]:8899', 'http://127.0.0.2:1']) {
      expect(walletChainFor(url, 'SomeLocalGenesisHash1111111111111111111111111')).toBe('solana:localnet');
    }
  });
  it('has no id for another private cluster', () => {
    expect(walletChainFor('https://validator.internal:8899', 'SomeOtherGenesisHash111111111111111111111111')).toBeNull();
    expect(walletChainFor('not a url', null)).toBeNull();
  });
});
