import { describe, expect, it } from 'vitest';
import { MqttFrameMeter } from './packet-size-guard';
import { PublishRateLimiter } from './publish-rate-limiter';
import { TokenReplayCache } from './token-replay-cache';

const packet = (firstByte: number, body: number) => {
  const length: number[] = [];
  let left = body;
  do {
    length.push((left % 128) | (left >= 128 ? 0x80 : 0));
    left = Math.floor(left / 128);
  } while (left > 0);
  return Buffer.concat([Buffer.from([firstByte, ...length]), Buffer.alloc(body)]);
};

describe('MqttFrameMeter', () => {
  it('follows packet boundaries however the stream is split, and refuses the first packet over the limit at its header', () => {
    const stream = Buffer.concat([packet(0x10, 100), packet(0x30, 0), packet(0x32, 300), packet(0x30, 2000)]);
    for (const chunkSize of [1, 2, 3, 7, 64, stream.length]) {
      const meter = new MqttFrameMeter(1000);
      let refusal = null;
      let refusedInChunkAt = -1;
      for (let at = 0; at < stream.length && !refusal; at += chunkSize) {
        refusal = meter.feed(stream.subarray(at, at + chunkSize));
        if (refusal) refusedInChunkAt = at;
      }
      expect(refusal).toMatchObject({ reason: 'packet_too_large' });
      // Refused in the chunk holding the last byte of the fourth packet's 3-byte fixed header: no body byte needed.
      const headerEnd = 102 + 2 + 303 + 3;
      expect(refusedInChunkAt).toBeLessThan(headerEnd);
      expect(refusedInChunkAt + chunkSize).toBeGreaterThanOrEqual(headerEnd);
    }
  });

  it('refuses a remaining length longer than four bytes', () => {
    expect(new MqttFrameMeter(1e9).feed(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01]))).toMatchObject({ reason: 'malformed_packet' });
    expect(new MqttFrameMeter(1e6).feed(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]))).toMatchObject({ reason: 'packet_too_large', detail: 'packet announces 268435460 bytes, limit 1000000' });
  });
});

describe('TokenReplayCache', () => {
  it('accepts a token once, forgets it after it expired, and stays within its bound', () => {
    const cache = new TokenReplayCache(3);
    expect(cache.firstUse('a', 100, 50)).toBe(true);
    expect(cache.firstUse('a', 100, 60)).toBe(false);
    expect(cache.firstUse('b', 200, 101)).toBe(true); // 'a' expired and is dropped
    expect(cache.size).toBe(1);
    for (const id of ['c', 'd', 'e']) cache.firstUse(id, 300, 102);
    expect(cache.size).toBe(3);
    expect(cache.evicted).toBe(1);
  });
});

describe('PublishRateLimiter', () => {
  it('keeps one bucket per client id and forgets refilled ones', () => {
    const limiter = new PublishRateLimiter();
    const rate = { burst: 2, perSecond: 1 };
    expect([limiter.take('x', rate, 0), limiter.take('x', rate, 0), limiter.take('x', rate, 0)]).toEqual([true, true, false]);
    expect(limiter.take('y', rate, 0)).toBe(true);
    expect(limiter.take('x', rate, 1000)).toBe(true);
    expect(limiter.take('z', rate, 10_000)).toBe(true); // 'y' and 'x' have refilled: forgotten
    expect(limiter.size).toBe(1);
  });
});
