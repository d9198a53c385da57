// A loopback DNS server (UDP, 127.0.0.1, port 0) answering from a list of records in dns-packet form, for
// tests that need more types than test/support/dns-test-server.ts serves (CNAME, SRV) or records parsed from
// a zone file. Names can be made to fail ('servfail', 'refused', 'timeout' = no answer at all).
//
// Semantics: a name with records of other types (or with names below it) exists: NODATA, not NXDOMAIN.
// A CNAME is answered for every type, followed by the target's records when they are in the zone.

import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface ServedRecord {
  name: string;
  type: 'A' | 'AAAA' | 'MX' | 'TXT' | 'CNAME' | 'SRV' | 'PTR';
  /** dns-packet answer data: string (A, AAAA, CNAME, PTR), string[] (TXT), {preference, exchange} (MX), … */
  data: unknown;
}

export type NameFailure = 'servfail' | 'refused' | 'timeout';

export interface RecordDnsServer {
  /** "127.0.0.1:port" */
  address: string;
  queries: string[];
  /** Replaces what a name answers (records and failures stay for other names). */
  setFailure(name: string, failure: NameFailure | null): void;
  close(): Promise<void>;
}

const norm = (name: string) => name.toLowerCase().replace(/\.$/, '');
const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 };

export async function startRecordDnsServer(
  records: readonly ServedRecord[],
  failures: Record<string, NameFailure> = {},
): Promise<RecordDnsServer> {
  const byName = new Map<string, ServedRecord[]>();
  for (const r of records) {
    const list = byName.get(norm(r.name)) ?? [];
    list.push(r);
    byName.set(norm(r.name), list);
  }
  const failing = new Map(Object.entries(failures).map(([n, f]) => [norm(n), f]));
  const exists = (name: string) => byName.has(name) || [...byName.keys()].some((n) => n.endsWith(`.${name}`));
  const queries: string[] = [];
  const socket = createSocket('udp4');

  socket.on('message', (msg, rinfo) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = norm(question.name);
    queries.push(`${question.type} ${name}`);
    const failure = failing.get(name);
    if (failure === 'timeout') return;
    let rcode = RCODE.NOERROR;
    const answers: dnsPacket.Answer[] = [];
    if (failure === 'servfail') rcode = RCODE.SERVFAIL;
    else if (failure === 'refused') rcode = RCODE.REFUSED;
    else if (!exists(name)) rcode = RCODE.NXDOMAIN;
    else {
      let current = name;
      for (let hops = 0; hops < 8; hops++) {
        const here = byName.get(current) ?? [];
        const cname = here.find((r) => r.type === 'CNAME');
        if (cname && question.type !== 'CNAME') {
          answers.push(answer(current, cname));
          current = norm(cname.data as string);
          continue;
        }
        for (const r of here.filter((x) => x.type === question.type)) answers.push(answer(current, r));
        break;
      }
    }
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_AVAILABLE | (query.flags ?? 0) | rcode,
      questions: [question],
      answers,
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });

  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    queries,
    setFailure(name, failure) {
      if (failure === null) failing.delete(norm(name));
      else failing.set(norm(name), failure);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

// TTL 0 so the resolver's cache never hides a change between tests.
function answer(name: string, r: ServedRecord): dnsPacket.Answer {
  // A copy: encode() turns TXT strings into Buffers in place.
  return { name, type: r.type, ttl: 0, class: 'IN', data: structuredClone(r.data) } as dnsPacket.Answer;
}
