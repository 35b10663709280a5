import { describe, expect, it } from 'vitest';
import { MAPPER_RECEIPT_FILTER, generateHotspotKeypair, mapperReceiptTopic } from '@poc/protocol';
import { publishRefusal, subscribeRefusal } from './access-rules';

describe('mapper receipt topic rules', () => {
  const own = generateHotspotKeypair();
  const other = generateHotspotKeypair();
  const me = { kind: 'hotspot' as const, address: own.address, region: 'EU868' as const };

  it('a hotspot publishes receipts on its own topic only, in its own region, never retained', () => {
    expect(publishRefusal(me, mapperReceiptTopic('EU868', own.address), { retain: false, payloadBytes: 600 })).toBeNull();
    expect(publishRefusal(me, mapperReceiptTopic('EU868', other.address), { retain: false, payloadBytes: 600 })).toMatchObject({ reason: 'publish_denied' });
    expect(publishRefusal(me, mapperReceiptTopic('US915', own.address), { retain: false, payloadBytes: 600 })).toMatchObject({ reason: 'publish_denied' });
    expect(publishRefusal(me, mapperReceiptTopic('EU868', own.address), { retain: true, payloadBytes: 600 })).toMatchObject({ reason: 'retain_refused' });
    expect(publishRefusal(me, mapperReceiptTopic('EU868', own.address), { retain: false, payloadBytes: 5000 })).toMatchObject({ reason: 'payload_too_large' });
    expect(publishRefusal(me, `${mapperReceiptTopic('EU868', own.address)}/extra`, { retain: false, payloadBytes: 10 })).toMatchObject({ reason: 'publish_denied' });
  });

  it('the oracle may subscribe to every receipt, a hotspot may not, a reader only reads', () => {
    expect(subscribeRefusal({ kind: 'service', username: 'oracle', role: 'oracle' }, MAPPER_RECEIPT_FILTER)).toBeNull();
    expect(subscribeRefusal({ kind: 'service', username: 'oracle', role: 'oracle' }, `$share/oracles/${MAPPER_RECEIPT_FILTER}`)).toBeNull();
    expect(subscribeRefusal(me, MAPPER_RECEIPT_FILTER)).toMatchObject({ reason: 'subscribe_denied' });
    expect(publishRefusal({ kind: 'service', username: 'mapper', role: 'reader' }, mapperReceiptTopic('EU868', own.address), { retain: false, payloadBytes: 10 })).toMatchObject({ reason: 'publish_denied' });
  });
});
