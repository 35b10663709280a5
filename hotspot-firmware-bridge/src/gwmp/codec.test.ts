import { describe, expect, it } from 'vitest';
import { decodeGwmp, decodeStrictBase64, encodeGwmp, mhzToHz, type GwmpPacket, type Rxpk } from './codec';
import { interpretTxAck } from './tx-ack';

// Example JSON bodies from Semtech's PROTOCOL.TXT (packet_forwarder v4.0.1, sections 4 and 6), verbatim.
const SPEC_RXPK = `{"rxpk":[
	{
		"time":"2013-03-31T16:21:17.528002Z",
		"tmst":3512348611,
		"chan":2,
		"rfch":0,
		"freq":866.349812,
		"stat":1,
		"modu":"LORA",
		"datr":"SF7BW125",
		"codr":"4/6",
		"rssi":-35,
		"lsnr":5.1,
		"size":32,
		"data":"-DS4CGaDCdG+48eJNM3Vai-zDpsR71Pn9CPA9uCON84"
	},{
		"time":"2013-03-31T16:21:17.530974Z",
		"tmst":3512348514,
		"chan":9,
		"rfch":1,
		"freq":869.1,
		"stat":1,
		"modu":"FSK",
		"datr":50000,
		"rssi":-75,
		"size":16,
		"data":"VEVTVF9QQUNLRVRfMTIzNA=="
	},{
		"time":"2013-03-31T16:21:17.532038Z",
		"tmst":3316387610,
		"chan":0,
		"rfch":0,
		"freq":863.00981,
		"stat":1,
		"modu":"LORA",
		"datr":"SF10BW125",
		"codr":"4/7",
		"rssi":-38,
		"lsnr":5.5,
		"size":32,
		"data":"ysgRl452xNLep9S1NTIg2lomKDxUgn3DJ7DE+b00Ass"
	}
]}`;

const SPEC_STAT = `{"stat":{
	"time":"2014-01-12 08:59:28 GMT",
	"lati":46.24000,
	"long":3.25230,
	"alti":145,
	"rxnb":2,
	"rxok":2,
	"rxfw":2,
	"ackr":100.0,
	"dwnb":2,
	"txnb":2
}}`;

const SPEC_TXPK = `{"txpk":{
	"imme":true,
	"freq":864.123456,
	"rfch":0,
	"powe":14,
	"modu":"LORA",
	"datr":"SF11BW125",
	"codr":"4/6",
	"ipol":false,
	"size":32,
	"data":"H3P3N2i9qc4yt7rK7ldqoeCVJGBybzPY5h1Dd7P7p8v"
}}`;

const SPEC_TXPK_ACK = `{"txpk_ack":{
	"error":"COLLISION_PACKET"
}}`;

const EUI = Buffer.from('AA555A0000000000', 'hex');
const datagram = (token: number, type: number, eui: Buffer | null, json?: string) =>
  Buffer.concat([Buffer.from([2, token >> 8, token & 0xff, type]), eui ?? Buffer.alloc(0), json ? Buffer.from(json) : Buffer.alloc(0)]);

describe('GWMP codec with the Semtech spec examples', () => {
  it('decodes the rxpk example: rejects the malformed-base64 packet with a reason, keeps the others', () => {
    const result = decodeGwmp(datagram(0x1234, 0x00, EUI, SPEC_RXPK));
    expect(result.ok).toBe(true);
    if (!result.ok || result.packet.type !== 'PUSH_DATA') throw new Error('expected PUSH_DATA');
    const push = result.packet;
    expect(push.token).toBe(0x1234);
    expect(push.gatewayEui).toBe('AA555A0000000000');
    expect(push.rejected).toEqual([{ index: 0, reason: 'invalid rxpk: data is not valid base64' }]);
    expect(push.rxpk).toHaveLength(2);
    const [fsk, lora] = push.rxpk;
    expect(fsk!.modu).toBe('FSK');
    expect(fsk!.datr).toBe(50000);
    expect(fsk!.rssi).toBe(-75);
    expect(Buffer.from(fsk!.payload).toString()).toBe('TEST_PACKET_1234');
    expect(lora!.datr).toBe('SF10BW125');
    expect(lora!.codr).toBe('4/7');
    expect(mhzToHz(lora!.freq)).toBe(863_009_810);
    expect(lora!.lsnr).toBe(5.5);
    expect(lora!.tmst).toBe(3316387610);
    expect(lora!.payload).toHaveLength(32);
  });

  it('decodes the stat example, alone and alongside rxpk', () => {
    const result = decodeGwmp(datagram(1, 0x00, EUI, SPEC_STAT));
    if (!result.ok || result.packet.type !== 'PUSH_DATA') throw new Error('expected PUSH_DATA');
    expect(result.packet.rxpk).toEqual([]);
    expect(result.packet.stat).toEqual({
      time: '2014-01-12 08:59:28 GMT', lati: 46.24, long: 3.2523, alti: 145, rxnb: 2, rxok: 2, rxfw: 2, ackr: 100, dwnb: 2, txnb: 2,
    });
    const both = JSON.stringify({ ...JSON.parse(SPEC_RXPK), ...JSON.parse(SPEC_STAT) });
    const combined = decodeGwmp(datagram(2, 0x00, EUI, both));
    expect(combined.ok && combined.packet.type === 'PUSH_DATA' && combined.packet.stat?.rxok).toBe(2);
  });

  it('decodes the txpk example as a PULL_RESP (no EUI) and re-encodes it identically', () => {
    const bytes = datagram(0xbeef, 0x03, null, SPEC_TXPK);
    const result = decodeGwmp(bytes);
    if (!result.ok || result.packet.type !== 'PULL_RESP') throw new Error('expected PULL_RESP');
    const { txpk } = result.packet;
    expect(txpk).toMatchObject({ imme: true, freq: 864.123456, rfch: 0, powe: 14, modu: 'LORA', datr: 'SF11BW125', codr: '4/6', ipol: false, size: 32 });
    expect(decodeStrictBase64(txpk.data)).toHaveLength(32);
    expect(encodeGwmp(result.packet)).toEqual(datagram(0xbeef, 0x03, null, JSON.stringify(JSON.parse(SPEC_TXPK))));
  });

  it('decodes the TX_ACK example and an empty TX_ACK', () => {
    const result = decodeGwmp(datagram(0xbeef, 0x05, EUI, SPEC_TXPK_ACK));
    expect(result).toEqual({ ok: true, packet: { type: 'TX_ACK', token: 0xbeef, gatewayEui: 'AA555A0000000000', txpkAck: { error: 'COLLISION_PACKET' } } });
    expect(decodeGwmp(datagram(7, 0x05, EUI))).toEqual({ ok: true, packet: { type: 'TX_ACK', token: 7, gatewayEui: 'AA555A0000000000' } });
  });

  it('round-trips every packet type', () => {
    const packets: GwmpPacket[] = [
      { type: 'PUSH_ACK', token: 0x1234 },
      { type: 'PULL_DATA', token: 0xffff, gatewayEui: 'AA555A0000000000' },
      { type: 'PULL_ACK', token: 0 },
      { type: 'TX_ACK', token: 9, gatewayEui: '0102030405060708', txpkAck: { error: 'NONE' } },
    ];
    for (const packet of packets) expect(decodeGwmp(encodeGwmp(packet))).toEqual({ ok: true, packet });
    expect(encodeGwmp({ type: 'PUSH_ACK', token: 0x1234 })).toEqual(Buffer.from([2, 0x12, 0x34, 1]));
    expect(encodeGwmp({ type: 'PULL_DATA', token: 0x0102, gatewayEui: 'AA555A0000000000' }).toString('hex')).toBe('0201020' + '2aa555a0000000000');
  });

  it('rejects malformed datagrams with a reason and never throws', () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from([2]), /too short/],
      [Buffer.from([1, 0, 0, 0]), /version 1/],
      [Buffer.from([2, 0, 0, 9]), /unknown packet type 0x09/],
      [Buffer.from([2, 0, 0, 2, 0xaa, 0x55]), /without an 8-byte gateway EUI/],
      [datagram(1, 0, EUI, '{{{'), /malformed JSON/],
      [datagram(1, 0, EUI), /missing JSON body/],
      [datagram(1, 0, EUI, '{"rxpk":"nope"}'), /invalid PUSH_DATA/],
      [datagram(1, 3, null, '{"txpk":{"freq":"x"}}'), /invalid PULL_RESP/],
    ];
    for (const [bytes, reason] of cases) {
      const result = decodeGwmp(bytes);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    }
    // A random fuzz: nothing throws.
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(Array.from({ length: (i % 40) + 1 }, (_, j) => (i * 31 + j * 17) & 0xff));
      bytes[0] = 2;
      expect(() => decodeGwmp(bytes)).not.toThrow();
    }
  });

  it('rejects an rxpk whose size disagrees with its data, and a bad stat, without losing the rest', () => {
    const body = JSON.stringify({
      rxpk: [{ tmst: 1, freq: 868.1, stat: 1, modu: 'LORA', datr: 'SF7BW125', rssi: -80, size: 3, data: 'VEVTVA==' }],
      stat: { lati: 'north' },
    });
    const result = decodeGwmp(datagram(1, 0, EUI, body));
    if (!result.ok || result.packet.type !== 'PUSH_DATA') throw new Error('expected PUSH_DATA');
    expect(result.packet.rejected.map((r) => r.reason)).toEqual([
      'invalid rxpk: size 3 but data decodes to 4 bytes',
      expect.stringMatching(/^invalid stat: lati/),
    ]);
  });

  it('strict base64: accepts padded and unpadded, rejects url-safe and broken', () => {
    expect(Buffer.from(decodeStrictBase64('VEVTVA')!).toString()).toBe('TEST');
    expect(Buffer.from(decodeStrictBase64('VEVTVA==')!).toString()).toBe('TEST');
    expect(decodeStrictBase64('-DS4')).toBeNull();
    expect(decodeStrictBase64('VEVTV')).toBeNull();
    expect(decodeStrictBase64('VEVTVA=')).toBeNull();
  });
});

describe('GWMP codec dialects: rsig antennas, nulls, TX_ACK warnings', () => {
  const uplink = (rxpk: Record<string, unknown>[], extra: Record<string, unknown> = {}) => {
    const result = decodeGwmp(datagram(1, 0, EUI, JSON.stringify({ rxpk, ...extra })));
    if (!result.ok || result.packet.type !== 'PUSH_DATA') throw new Error('expected PUSH_DATA');
    return result.packet;
  };
  const kerlink = (rsig: unknown, overrides: Record<string, unknown> = {}) => ({
    jver: 2, brd: 0, aesk: 0, tmst: 42, time: '2022-05-27T09:41:21.091993Z', freq: 867.5, stat: 1, modu: 'LORA',
    datr: 'SF7BW125', codr: '4/5', size: 4, data: 'VEVTVA==', rsig, ...overrides,
  });

  it('takes rssi/rssis/lsnr from the strongest antenna and keeps every antenna', () => {
    const rsig = [
      { ant: 0, chan: 2, rssic: -108, rssis: -116, lsnr: -7, etime: '+PeyOghPpvR4YnV9mNJt0w==', foff: 3773, ftdelta: 443, ftstat: 0, ftver: 1, rssisd: 0 },
      { ant: 1, chan: 2, rssic: -110, rssis: -112, lsnr: -9, etime: 'BIuzSsIZVqi2aCfDYImC6Q==', foff: 3786, ftdelta: 270, ftstat: 0, ftver: 1, rssisd: 1 },
    ];
    const push = uplink([kerlink(rsig)]);
    expect(push.rejected).toEqual([]);
    const [rxpk] = push.rxpk as [Rxpk];
    // Antenna 1 has the stronger signal RSSI (-112 > -116), although its channel RSSI is lower.
    expect(rxpk).toMatchObject({ rssi: -110, rssis: -112, lsnr: -9, bestAntenna: 1 });
    expect(rxpk.rsig).toEqual(rsig);
  });

  it('breaks an RSSI tie on SNR, and uses the index when antennas have no ant', () => {
    const [rxpk] = uplink([kerlink([{ rssic: -90, lsnr: 1 }, { rssic: -90, lsnr: 4.5 }])]).rxpk as [Rxpk];
    expect(rxpk).toMatchObject({ rssi: -90, lsnr: 4.5, bestAntenna: 1 });
    expect(rxpk).not.toHaveProperty('rssis');
  });

  it('keeps the top-level signal when the forwarder sends both (iBTS)', () => {
    const [rxpk] = uplink([kerlink([{ ant: 8, chan: 9, rssic: -70, lsnr: 6.6 }], { rssi: -60, lsnr: 5.5 })]).rxpk as [Rxpk];
    expect(rxpk).toMatchObject({ rssi: -60, lsnr: 5.5 });
    expect(rxpk).not.toHaveProperty('bestAntenna');
  });

  it('rejects, with a reason, an rxpk with no RSSI anywhere or with too many antennas', () => {
    const push = uplink([
      kerlink([]),
      kerlink([{ ant: 0, lsnr: 3 }]),
      kerlink(Array.from({ length: 17 }, (_, ant) => ({ ant, rssic: -100 }))),
      kerlink([{ ant: 0, rssic: 'loud' }]),
    ]);
    expect(push.rxpk).toEqual([]);
    expect(push.rejected.map((r) => r.reason)).toEqual([
      'invalid rxpk: rssi: no RSSI: neither rssi nor an rsig antenna with rssic',
      'invalid rxpk: rssi: no RSSI: neither rssi nor an rsig antenna with rssic',
      expect.stringMatching(/^invalid rxpk: rsig: Too big/),
      expect.stringMatching(/^invalid rxpk: rsig\.0\.rssic: /),
    ]);
  });

  it('treats null as absent (ChirpStack UDP forwarder, Kerlink), but a null required field is still an error', () => {
    const fsk = { time: '1970-01-01T00:00:00+00:00', tmms: 1000, tmst: 16909060, freq: 868.3, chan: 1, rfch: 2, stat: 1, modu: 'FSK', datr: 50000, codr: null, rssi: -160, lsnr: null, size: 3, data: 'AQID' };
    const push = uplink([fsk, { ...fsk, tmst: null }], { stat: null });
    expect(push.rxpk).toHaveLength(1);
    expect(push.rxpk[0]).not.toHaveProperty('codr');
    expect(push.rxpk[0]).not.toHaveProperty('lsnr');
    expect(push.stat).toBeUndefined();
    expect(push.rejected).toEqual([{ index: 1, reason: 'invalid rxpk: tmst: Invalid input: expected number, received undefined' }]);
    const stat = uplink([], { stat: { ackr: null, rxnb: 0, hal: '5.0.1' } }).stat;
    expect(stat).toEqual({ rxnb: 0, hal: '5.0.1' });
  });

  it('re-encodes a decoded rsig uplink without the computed fields', () => {
    const push = uplink([kerlink([{ ant: 0, chan: 0, rssic: -46, lsnr: 10 }])]);
    const again = decodeGwmp(encodeGwmp(push));
    expect(again.ok && again.packet.type === 'PUSH_DATA' && again.packet.rxpk[0]).toMatchObject({ rssi: -46, lsnr: 10, rsig: [{ ant: 0, rssic: -46 }] });
    expect(JSON.parse(encodeGwmp(push).subarray(12).toString()).rxpk[0]).not.toHaveProperty('bestAntenna');
  });

  it('reads every TX_ACK dialect', () => {
    expect(interpretTxAck(undefined)).toEqual({ accepted: true });
    expect(interpretTxAck({})).toEqual({ accepted: true });
    expect(interpretTxAck({ error: 'NONE' })).toEqual({ accepted: true });
    expect(interpretTxAck({ error: '' })).toEqual({ accepted: true });
    expect(interpretTxAck({ error: 'TOO_LATE' })).toEqual({ accepted: false, error: 'TOO_LATE' });
    expect(interpretTxAck({ error: 'TX_POWER' })).toEqual({ accepted: false, error: 'TX_POWER' });
    expect(interpretTxAck({ warn: 'TX_POWER', value: 20 })).toEqual({ accepted: true, powerDbm: 20, warning: 'TX_POWER' });
    expect(interpretTxAck({ warn: 'TX_POWER', value: '20' })).toEqual({ accepted: true, powerDbm: 20, warning: 'TX_POWER' });
    expect(interpretTxAck({ warn: 'TX_POWER' })).toEqual({ accepted: true, warning: 'TX_POWER' });
    expect(interpretTxAck({ error: 'NONE', powe: 12 })).toEqual({ accepted: true, powerDbm: 12 });
    const nullTmst = decodeGwmp(datagram(3, 0x05, EUI, '{"txpk_ack":{"warn":"TX_POWER","value":20,"tmst":null}}'));
    expect(nullTmst).toEqual({ ok: true, packet: { type: 'TX_ACK', token: 3, gatewayEui: 'AA555A0000000000', txpkAck: { warn: 'TX_POWER', value: 20 } } });
  });
});
