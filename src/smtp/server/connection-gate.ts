// Connection limits across all SMTP listeners together (smtp.max_connections, max_connections_per_ip).
// Each listener also enforces them on its own; this gate makes "all listeners together" true.

export class ConnectionGate {
  readonly #maxTotal: number;
  readonly #maxPerIp: number;
  #total = 0;
  #perIp = new Map<string, number>();

  constructor(maxTotal: number, maxPerIp: number) {
    this.#maxTotal = maxTotal;
    this.#maxPerIp = maxPerIp;
  }

  /** Takes a slot for the IP; returns a release function, or null when a limit is reached. */
  enter(ip: string): (() => void) | null {
    const count = this.#perIp.get(ip) ?? 0;
    if (this.#total >= this.#maxTotal || count >= this.#maxPerIp) return null;
    this.#total++;
    this.#perIp.set(ip, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const n = (this.#perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.#perIp.delete(ip);
      else this.#perIp.set(ip, n);
    };
  }

  get open(): number {
    return this.#total;
  }
}
