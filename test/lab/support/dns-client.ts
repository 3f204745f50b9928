/**
 * A tiny DNS client for lab tests, run inside a lab namespace:
 *   node --import tsx test/lab/support/dns-client.ts SERVER NAME [TYPE] [--tcp] [--pair] [--timeout MS]
 * `--pair` sends A and AAAA for NAME back to back from one UDP socket, as glibc does.
 * Prints one JSON line per query: { type, rcode?, answers?, timeout? }.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import dnsPacket from 'dns-packet';
import type { RecordType } from 'dns-packet';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tcp: { type: 'boolean' },
    pair: { type: 'boolean' },
    timeout: { type: 'string', default: '1500' },
  },
});
const [server = '', name = '', type = 'A'] = positionals;
const timeoutMs = Number(values.timeout);
const encode = (t: string, id: number): Buffer =>
  dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: t as RecordType, name }],
  });
const summary = (t: string, reply: Buffer | undefined): string => {
  if (!reply) return JSON.stringify({ type: t, timeout: true });
  // dns-packet decodes `rcode`, but its types leave it out.
  const p = dnsPacket.decode(reply) as ReturnType<typeof dnsPacket.decode> & { rcode?: string };
  return JSON.stringify({
    type: t,
    rcode: p.rcode,
    answers: (p.answers ?? []).map((a) => String((a as { data?: unknown }).data)),
  });
};

if (values.tcp) {
  const socket = connect(53, server);
  const query = encode(type, 4242);
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(query.length);
  let buffered = Buffer.alloc(0);
  const timer = setTimeout(() => {
    console.log(summary(type, undefined));
    socket.destroy();
  }, timeoutMs);
  socket.on('connect', () => socket.write(Buffer.concat([prefix, query])));
  socket.on('data', (c: Buffer) => {
    buffered = Buffer.concat([buffered, c]);
    if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      clearTimeout(timer);
      console.log(summary(type, buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
      socket.destroy();
    }
  });
  socket.on('error', (e) => {
    clearTimeout(timer);
    console.log(JSON.stringify({ type, error: e.message }));
  });
} else {
  const types = values.pair ? ['A', 'AAAA'] : [type];
  const socket = createSocket('udp4');
  const replies = new Map<number, Buffer>();
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    types.forEach((t, i) => console.log(summary(t, replies.get(1000 + i))));
    socket.close();
  };
  socket.on('message', (m) => {
    replies.set(m.readUInt16BE(0), m);
    if (replies.size === types.length) finish();
  });
  socket.bind(0, () => {
    types.forEach((t, i) => socket.send(encode(t, 1000 + i), 53, server));
    setTimeout(finish, timeoutMs).unref();
  });
}
