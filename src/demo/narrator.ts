// The narrator of `posthorn demo`: the seven steps of the reference story, each recorded when the event that
// proves it happens (a reply, a log record, a change-feed event, an IMAP untagged response), and printed in
// story order with the time it took since Alice started to send. Steps can only be recorded, never assumed:
// whatever has not happened when the time is up is reported as missing.

export const STORY_STEPS = [
  'submission accepted',
  'queued',
  'next hop chosen',
  'TCP session to hamburger.edu opened',
  'remote 250',
  "stored in Bob's INBOX",
  "Bob's IDLE session sees EXISTS",
] as const;

export type StepNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7;

interface Recorded {
  at: number;
  detail: string;
}

export class Narrator {
  readonly #out: NodeJS.WritableStream;
  readonly #now: () => number;
  readonly #recorded = new Map<StepNumber, Recorded>();
  #start: number;
  #printed = 0;
  #waiters: Array<() => void> = [];
  /** Why a step may be missing (e.g. the last connection error), shown with the failure. */
  readonly hints = new Map<StepNumber, string>();

  constructor(out: NodeJS.WritableStream, now: () => number = () => performance.now()) {
    this.#out = out;
    this.#now = now;
    this.#start = now();
  }

  /** The story's clock starts here (Alice starts to send). */
  startClock(): void {
    this.#start = this.#now();
  }

  /** Records a step once (later records of the same step are ignored) and prints what is printable. */
  record(step: StepNumber, detail: string): void {
    if (this.#recorded.has(step)) return;
    this.#recorded.set(step, { at: this.#now(), detail });
    this.#flush();
    if (this.complete) for (const wake of this.#waiters.splice(0)) wake();
  }

  has(step: StepNumber): boolean {
    return this.#recorded.has(step);
  }

  get complete(): boolean {
    return this.#recorded.size === STORY_STEPS.length;
  }

  /** Steps not recorded yet, in story order. */
  missing(): StepNumber[] {
    return ([1, 2, 3, 4, 5, 6, 7] as const).filter((step) => !this.#recorded.has(step));
  }

  /** Resolves true when every step happened, false when `timeoutMs` passes first. */
  waitForAll(timeoutMs: number): Promise<boolean> {
    if (this.complete) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#waiters.push(wake);
    });
  }

  /** Steps are printed in story order: a step that happened early waits for the ones before it. */
  #flush(): void {
    while (this.#printed < STORY_STEPS.length) {
      const step = (this.#printed + 1) as StepNumber;
      const recorded = this.#recorded.get(step);
      if (!recorded) return;
      const ms = Math.max(0, recorded.at - this.#start).toFixed(0);
      this.#out.write(
        `  ${step}. ${`+${ms} ms`.padStart(9)}  ${STORY_STEPS[step - 1]}: ${recorded.detail}\n`,
      );
      this.#printed++;
    }
  }

  /** Steps that happened before an earlier step of the story: `[later, earlier]` pairs, e.g. [6, 5]. */
  overtakes(): Array<[StepNumber, StepNumber]> {
    const pairs: Array<[StepNumber, StepNumber]> = [];
    for (let step = 2; step <= STORY_STEPS.length; step++) {
      const at = this.#recorded.get(step as StepNumber)?.at;
      const before = this.#recorded.get((step - 1) as StepNumber)?.at;
      if (at !== undefined && before !== undefined && at < before) {
        pairs.push([step as StepNumber, (step - 1) as StepNumber]);
      }
    }
    return pairs;
  }

  /** One line naming every missing step, and why when known. */
  describeMissing(timeoutMs: number): string {
    const missing = this.missing();
    const names = missing.map((step) => `${step} (${STORY_STEPS[step - 1]})`).join(', ');
    const hint = missing.map((step) => this.hints.get(step)).find((h) => h !== undefined);
    const seconds = (timeoutMs / 1000).toString();
    return (
      `the reference story stopped: step${missing.length > 1 ? 's' : ''} ${names} did not happen within ${seconds} s` +
      (hint ? `; ${hint}` : '')
    );
  }
}
