// A tiny authoritative DNS server on 127.0.0.1 (UDP, port 0) answering from a static Zone, so tests run
// the real node:dns resolver code against NXDOMAIN, NODATA, SERVFAIL, REFUSED and silence (timeout).

import { createSocket, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { Zone, ZoneRecords } from '../../src/dns/static-resolver.ts';

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
const FLAG_AA = 0x400;
const FLAG_RD = 0x100;
const FLAG_RA = 0x80;

export interface DnsTestServer {
  /** "127.0.0.1:port", ready for [dns] servers. */
  address: string;
  /** Questions received, "TYPE name", in order. */
  queries: string[];
  close(): Promise<void>;
}

export async function startDnsTestServer(zone: Zone): Promise<DnsTestServer> {
  const socket: Socket = createSocket('udp4');
  const queries: string[] = [];
  const lookup = new Map(Object.entries(zone).map(([k, v]) => [k.toLowerCase().replace(/\.$/, ''), v]));

  socket.on('message', (msg, rinfo) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase().replace(/\.$/, '');
    queries.push(`${question.type} ${name}`);
    const entry = lookup.get(name);
    if (entry === 'timeout') return;
    let rcode: number = RCODE.NOERROR;
    let answers: dnsPacket.Answer[] = [];
    if (entry === undefined) rcode = RCODE.NXDOMAIN;
    else if (entry === 'servfail') rcode = RCODE.SERVFAIL;
    else if (entry === 'refused') rcode = RCODE.REFUSED;
    else answers = answersFor(entry, question.name, question.type);
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: FLAG_AA | FLAG_RA | ((query.flags ?? 0) & FLAG_RD) | rcode,
      questions: [question],
      answers,
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });

  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

// TTL 0 so the resolver's cache never hides a change between tests.
function answersFor(records: ZoneRecords, name: string, type: string): dnsPacket.Answer[] {
  const base = { name, ttl: 0, class: 'IN' as const };
  switch (type) {
    case 'MX':
      return (records.mx ?? []).map((r) => ({
        ...base,
        type: 'MX' as const,
        data: { preference: r.preference, exchange: r.exchange === '' ? '.' : r.exchange },
      }));
    case 'A':
      return (records.a ?? []).map((ip) => ({ ...base, type: 'A' as const, data: ip }));
    case 'AAAA':
      return (records.aaaa ?? []).map((ip) => ({ ...base, type: 'AAAA' as const, data: ip }));
    case 'TXT':
      return (records.txt ?? []).map((strings) => ({ ...base, type: 'TXT' as const, data: strings }));
    default:
      return [];
  }
}
