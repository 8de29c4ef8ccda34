import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { err, ok, type Result } from '../result.ts';
import { killedError, notInstalledError, notStartedError, outputTooLargeError, timeoutError, type IstioctlError } from './errors.ts';

/** What one finished istioctl process printed. Non-zero exit codes are data here (analyze exits 79 with findings). */
export interface IstioctlOutput<Read = never> {
  /** With `stdoutBytes`, decoded from them whenever read; '' when a `stdoutReader` read it. */
  readonly stdout: string;
  /** What istioctl printed, as bytes: present when the invocation asked for them (`stdoutBytes: true`). */
  readonly stdoutBytes?: Uint8Array;
  /** What the invocation's `stdoutReader` made of stdout (present whenever it asked for one). */
  readonly stdoutRead?: Read;
  readonly stderr: string;
  readonly exitCode: number;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** True when this answer came from the short-lived cache or a coalesced in-flight run. */
  readonly shared: boolean;
}

/**
 * Reads istioctl's stdout chunk by chunk while istioctl prints it, so a large output never exists whole. Must not
 * throw: what it cannot read is part of the value `end` returns.
 */
export interface StdoutReader<Read> {
  write(chunk: Uint8Array): void;
  /** stdout closed: the value the answer carries (and the cache keeps, instead of the bytes). */
  end(): Read;
}

export interface IstioctlInvocation<Read = never> {
  /** Arguments after the binary, e.g. ['proxy-status', '--verbosity', '1']; never a shell string. */
  readonly args: readonly string[];
  /** kubeconfig context for `--context`; undefined = current context. */
  readonly context?: string | undefined;
  readonly timeoutMs?: number;
  /** Read-only commands are coalesced and cached; pass false for anything with side effects. */
  readonly shareable?: boolean;
  /** Only accept a shared answer from a run that started at or after this time (e.g. after a write). */
  readonly notBefore?: Date;
  /**
   * Keep stdout as the bytes istioctl printed (IstioctlOutput.stdoutBytes) for a reader that works on bytes: a
   * large `-o json` output is then never decoded whole, unless `stdout` is read.
   */
  readonly stdoutBytes?: boolean;
  /**
   * Hands stdout to a fresh reader as it arrives instead of keeping it. `name` keeps answers of different readers
   * apart in the cache; invocations with the same arguments and reader share one run and one read.
   */
  readonly stdoutReader?: { readonly name: string; readonly open: () => StdoutReader<Read> };
}

export type IstioctlRun = <Read = never>(invocation: IstioctlInvocation<Read>) => Promise<Result<IstioctlOutput<Read>, IstioctlError>>;

export interface RunnerOptions {
  readonly binary: string;
  readonly timeoutMs: number;
  readonly cacheTtlMs: number;
  readonly concurrency: number;
  readonly maxOutputBytes: number;
  readonly now?: () => number;
  readonly onProcess?: (event: { args: readonly string[]; durationMs: number; outcome: 'exit' | 'timeout' | 'not-installed' | 'too-large' | 'spawn-error' | 'killed'; exitCode: number | null }) => void;
}

type Outcome = Result<IstioctlOutput<unknown>, IstioctlError>;

/**
 * The istioctl slots: istiod and the Kubernetes API suffer when dozens of istioctl processes start at once, and the
 * pod's memory is sized for `concurrency` of them. Each kubeconfig context may run up to `concurrency` at once; its
 * first run always has a slot of its own, and its further runs share `concurrency - 1` extra slots with the other
 * contexts'. So the total is `concurrency` plus one per further context, and clusters whose runs hang (however
 * many) hold their own slot and the shared ones but never another cluster's first: a two-pool design (per context,
 * then a total grown by one per context) let two hung clusters take every slot of the total from a third.
 */
interface Waiter {
  readonly key: string;
  readonly wake: (release: () => void) => void;
}

class Slots {
  readonly #perContext: number;
  readonly #running = new Map<string, number>();
  /** Runs beyond each context's first: Σ max(0, running − 1). */
  #extra = 0;
  readonly #waiting: Waiter[] = [];
  constructor(perContext: number) {
    this.#perContext = perContext;
  }

  #fits(key: string): boolean {
    const running = this.#running.get(key) ?? 0;
    return running < this.#perContext && (running === 0 || this.#extra < this.#perContext - 1);
  }

  #take(key: string): () => void {
    const running = this.#running.get(key) ?? 0;
    if (running > 0) this.#extra += 1;
    this.#running.set(key, running + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const before = this.#running.get(key) ?? 1;
      if (before > 1) this.#extra -= 1;
      if (before > 1) this.#running.set(key, before - 1);
      else this.#running.delete(key);
      this.#wake();
    };
  }

  /** Hands freed slots to the longest waiters that fit, in order (a waiter of a full context lets others by). */
  #wake(): void {
    for (let index = 0; index < this.#waiting.length; ) {
      const waiter = this.#waiting[index] as Waiter;
      if (!this.#fits(waiter.key)) {
        index += 1;
        continue;
      }
      this.#waiting.splice(index, 1);
      waiter.wake(this.#take(waiter.key));
    }
  }

  /**
   * A release function at once when a slot is free (no await: the process starts in the caller's tick, before
   * whatever the caller does next, such as loading modules); otherwise null. No waiter fits whenever this runs
   * (each release wakes those that do), so taking a free slot here passes nobody who could have had it.
   */
  tryAcquire(key: string): (() => void) | null {
    return this.#fits(key) ? this.#take(key) : null;
  }

  /** Waits for a slot: a release function, or null when none came free within `waitMs` (the caller's deadline). */
  acquire(key: string, waitMs: number): Promise<(() => void) | null> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        key,
        wake: (release: () => void) => {
          clearTimeout(timer);
          resolve(release);
        },
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        resolve(null);
      }, Math.max(0, waitMs));
      this.#waiting.push(waiter);
    });
  }
}

/**
 * Ends istioctl and everything it started. The process runs in its own process group (`detached`), because
 * kubeconfig credential plugins (kubelogin, `aws eks get-token`) are grandchildren that inherit stdout: killing
 * only istioctl would leave them holding the pipe, and the run would not end until they exit.
 */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

export function createIstioctlRunner(options: RunnerOptions): IstioctlRun {
  const now = options.now ?? Date.now;
  // The limit protects one cluster's API server and istiod, so each kubeconfig context has its own: with one pool, a
  // cluster whose API is gone (each run hangs until its timeout) held every slot, and the healthy clusters' commands
  // waited behind it until they too "did not finish". The total is bounded too (see Slots).
  const slots = new Slots(options.concurrency);
  const inFlight = new Map<string, { startedAt: number; outcome: Promise<Outcome> }>();
  const cache = new Map<string, { expiresAt: number; startedAt: number; outcome: Outcome }>();

  /** Runs istioctl within `deadline` (`performance.now()` ms), counting the wait for a concurrency slot toward it. */
  async function spawn(args: readonly string[], context: string, timeoutMs: number, deadline: number, bytes: boolean, openReader: (() => StdoutReader<unknown>) | undefined): Promise<Outcome> {
    const timedOut = (durationMs: number): Outcome => {
      options.onProcess?.({ args, durationMs, outcome: 'timeout', exitCode: null });
      return err(timeoutError(Math.round(timeoutMs / 1000)));
    };
    const release = slots.tryAcquire(context) ?? (await slots.acquire(context, deadline - performance.now()));
    if (release === null) return timedOut(0);
    const startedAt = new Date(now());
    let timer: NodeJS.Timeout | undefined;
    try {
      const subprocess = execa(options.binary, args, {
        reject: false,
        stdin: 'ignore',
        detached: true,
        maxBuffer: options.maxOutputBytes,
        stripFinalNewline: false,
        ...(bytes || openReader ? { encoding: 'buffer' as const } : {}),
        // A reader takes stdout as it comes (below); execa then keeps only stderr.
        ...(openReader ? { buffer: { stdout: false, stderr: true } } : {}),
      });
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), Math.max(0, deadline - performance.now()));
      });
      const reading = openReader ? readStdout(subprocess.stdout, openReader(), options.maxOutputBytes) : undefined;
      const result = await Promise.race([subprocess, expired, ...(reading ? [reading.tooLarge] : [])]);
      const finishedAt = new Date(now());
      const durationMs = finishedAt.getTime() - startedAt.getTime();
      if (result === 'expired') {
        killGroup(subprocess.pid);
        // Whatever still holds the pipes is dead or about to be; the answer is "timed out" now, not when they close.
        subprocess.stdout?.destroy();
        subprocess.stderr?.destroy();
        return timedOut(durationMs);
      }
      if (result === 'too-large' || result.isMaxBuffer) {
        killGroup(subprocess.pid);
        subprocess.stdout?.destroy();
        options.onProcess?.({ args, durationMs, outcome: 'too-large', exitCode: null });
        return err(outputTooLargeError(options.maxOutputBytes));
      }
      const code = (result as { code?: string }).code;
      // Ended by a signal from outside (the OOM killer's SIGKILL): it ran, so "could not be started" would mislead.
      if (result.exitCode === undefined && result.isTerminated && result.signal !== undefined) {
        options.onProcess?.({ args, durationMs, outcome: 'killed', exitCode: null });
        return err(killedError(result.signal));
      }
      if (result.exitCode === undefined) {
        const outcome = code === 'ENOENT' ? 'not-installed' : 'spawn-error';
        options.onProcess?.({ args, durationMs, outcome, exitCode: null });
        return err(code === 'ENOENT' ? notInstalledError(options.binary) : notStartedError(options.binary, code, code === 'EACCES' && isDirectory(options.binary)));
      }
      options.onProcess?.({ args, durationMs, outcome: 'exit', exitCode: result.exitCode });
      const rest = { exitCode: result.exitCode, startedAt, finishedAt, shared: false };
      if (reading) return ok({ stdout: '', stdoutRead: reading.end(), stderr: decode(result.stderr), ...rest });
      if (result.stdout instanceof Uint8Array) return ok(withBytes({ ...rest, stderr: decode(result.stderr) }, result.stdout));
      return ok({ stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), ...rest });
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  return async <Read>(invocation: IstioctlInvocation<Read>) => {
    const args = invocation.context === undefined ? [...invocation.args] : [...invocation.args, '--context', invocation.context];
    const timeoutMs = invocation.timeoutMs ?? options.timeoutMs;
    // The caller's deadline, in real elapsed time: waiting for a free slot counts, so a queue never stretches a timeout.
    const deadline = performance.now() + timeoutMs;
    const bytes = invocation.stdoutBytes === true;
    const reader = invocation.stdoutReader;
    // Only a reader's own value is handed back as its Read: the cache keys below keep readers apart by name.
    const answer = (outcome: Outcome) => outcome as Result<IstioctlOutput<Read>, IstioctlError>;
    if (invocation.shareable === false) return answer(await spawn(args, invocation.context ?? '', timeoutMs, deadline, bytes, reader?.open));

    // Bytes, text and each reader's answers are kept apart: each caller gets the form it asked for.
    const key = reader ? `reader:${reader.name}:${JSON.stringify(args)}` : bytes ? `bytes:${JSON.stringify(args)}` : JSON.stringify(args);
    const fresh = (startedAt: number) => invocation.notBefore === undefined || startedAt >= invocation.notBefore.getTime();
    const cached = cache.get(key);
    if (cached && cached.expiresAt > now() && fresh(cached.startedAt)) return answer(markShared(cached.outcome));
    const running = inFlight.get(key);
    if (running && fresh(running.startedAt)) return answer(markShared(await running.outcome));

    const startedAt = now();
    const outcome = spawn(args, invocation.context ?? '', timeoutMs, deadline, bytes, reader?.open).then((outcome) => {
      // A slow run that started before a newer one (say, before a canary write) must not replace its answer.
      const newest = cache.get(key);
      if (!newest || newest.startedAt < startedAt) cache.set(key, { expiresAt: now() + options.cacheTtlMs, startedAt, outcome });
      for (const [other, entry] of cache) if (entry.expiresAt <= now()) cache.delete(other);
      return outcome;
    });
    const entry = { startedAt, outcome };
    inFlight.set(key, entry);
    try {
      return answer(await outcome);
    } finally {
      if (inFlight.get(key) === entry) inFlight.delete(key);
    }
  };
}

/**
 * Feeds stdout to `reader` chunk by chunk as istioctl writes it, counting bytes against the output limit (execa's
 * maxBuffer only limits what execa keeps). `tooLarge` settles once the limit is passed; the chunks stop there.
 */
function readStdout(stdout: Readable, reader: StdoutReader<unknown>, maxBytes: number): { tooLarge: Promise<'too-large'>; end: () => unknown } {
  let total = 0;
  let signal: (value: 'too-large') => void = () => {};
  const tooLarge = new Promise<'too-large'>((resolve) => (signal = resolve));
  const onData = (chunk: Uint8Array) => {
    total += chunk.length;
    if (total > maxBytes) {
      stdout.off('data', onData);
      signal('too-large');
      return;
    }
    reader.write(chunk);
  };
  stdout.on('data', onData);
  return { tooLarge, end: () => reader.end() };
}

function markShared(outcome: Outcome): Outcome {
  if (!outcome.ok) return outcome;
  const { stdoutBytes, stderr, exitCode, startedAt, finishedAt } = outcome.value;
  // Not a spread: that would read (and so decode) a bytes answer's stdout.
  if (stdoutBytes) return ok(withBytes({ stderr, exitCode, startedAt, finishedAt, shared: true }, stdoutBytes));
  return ok({ ...outcome.value, shared: true });
}

/**
 * An answer kept as bytes; `stdout` decodes them (as execa would have) each time it is read, not kept: the cache
 * holds this object, and a large output should not stay there twice (bytes and string).
 */
function withBytes(rest: Omit<IstioctlOutput, 'stdout' | 'stdoutBytes'>, bytes: Uint8Array): IstioctlOutput {
  return {
    ...rest,
    stdoutBytes: bytes,
    get stdout() {
      return decode(bytes);
    },
  };
}

function decode(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  return String(value ?? '');
}

/** Only asked after a spawn failed, so the synchronous stat costs nothing on the way to an answer. */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
