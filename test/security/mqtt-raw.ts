import type { Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import { remainingLength } from '@poc/devnet/mqtt-qos1-publisher';

/** A fixed header announcing `bodyBytes` (0x10 = CONNECT, 0x31 = PUBLISH QoS 0 retained). */
export const fixedHeader = (firstByte: number, bodyBytes: number) => Buffer.concat([Buffer.from([firstByte]), remainingLength(bodyBytes)]);

/** Start of a PUBLISH QoS 0 body: the topic; the payload follows. */
export const publishTopic = (topic: string) => {
  const name = Buffer.from(topic, 'utf8');
  return Buffer.concat([Buffer.from([name.length >> 8, name.length & 0xff]), name]);
};

/**
 * Writes `head`, then zeros up to `bodyBytes` (what `head` announced), honouring backpressure, and stops at the
 * first of: the peer closing the connection, the announced size, `giveUpAfter` bytes. A broker that bounds packet
 * sizes closes right after the header; one that buffers keeps reading.
 */
export async function streamUntilRefused(socket: Socket, head: Buffer, bodyBytes: number, giveUpAfter = bodyBytes): Promise<{ written: number; closedByPeer: boolean }> {
  let closed = socket.destroyed;
  const onClose = () => (closed = true);
  socket.once('close', onClose);
  socket.on('error', onClose);
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  const waitForRoom = () => new Promise<void>((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
  if (!closed && !socket.write(head)) await waitForRoom();
  while (!closed && written < Math.min(bodyBytes, giveUpAfter)) {
    const piece = chunk.subarray(0, Math.min(chunk.length, bodyBytes - written));
    written += piece.length;
    if (!socket.write(piece)) await waitForRoom();
  }
  if (!closed) {
    // Everything was accepted: let the peer react to the complete packet, but report it was not cut off.
    socket.off('close', onClose);
    return { written, closedByPeer: false };
  }
  return { written, closedByPeer: true };
}

/** Publishes and reports what happened first: the PUBACK, an error, or the broker closing the connection. */
export function publishOutcome(client: MqttClient, topic: string, payload: Buffer | string, options: { qos: 0 | 1; retain?: boolean }): Promise<'acked' | 'error' | 'closed'> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve('closed');
    client.once('close', () => resolve('closed'));
    client.publish(topic, payload, options, (error) => resolve(error ? 'error' : 'acked'));
  });
}

/** Resolves when the client's connection is closed (now or later). */
export const closed = (client: MqttClient) =>
  new Promise<void>((resolve) => (client.disconnected || !client.connected ? resolve() : client.once('close', () => resolve())));
