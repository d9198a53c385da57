// "host:port" strings as used in the config ([listen], [routes], [dns] servers); IPv6 as "[::1]:25".

export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPort(value: string, defaultPort?: number): HostPort {
  const v = value.trim();
  let host: string;
  let portText: string | undefined;
  if (v.startsWith('[')) {
    const end = v.indexOf(']');
    if (end < 0) throw new Error(`bad address "${value}": missing "]"`);
    host = v.slice(1, end);
    const rest = v.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new Error(`bad address "${value}"`);
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = v.lastIndexOf(':');
    if (colon >= 0 && v.indexOf(':') === colon) {
      host = v.slice(0, colon);
      portText = v.slice(colon + 1);
    } else {
      host = v;
    }
  }
  if (host === '') throw new Error(`bad address "${value}": empty host`);
  if (portText === undefined) {
    if (defaultPort === undefined) throw new Error(`bad address "${value}": expected "host:port"`);
    return { host, port: defaultPort };
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new Error(`bad address "${value}": port must be 0-65535`);
  }
  return { host, port: Number(portText) };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.') || host === '::ffff:127.0.0.1';
}
