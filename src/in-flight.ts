/** Runs `read` unless a call with the same key is still running, whose answer is then shared. */
export type InFlight = <T>(key: string, read: () => Promise<T>) => Promise<T>;

/**
 * A burst of identical commands (an incident: twenty people type `/mesh status`) makes one set of reads instead of
 * one per person, the way the istioctl runner shares one run: every caller gets an answer read after the first of
 * them asked, never an older one, since nothing is kept once the read settles.
 */
export function createInFlight(): InFlight {
  const running = new Map<string, Promise<unknown>>();
  return <T>(key: string, read: () => Promise<T>): Promise<T> => {
    const current = running.get(key) as Promise<T> | undefined;
    if (current !== undefined) return current;
    const started = read().finally(() => running.delete(key));
    running.set(key, started);
    return started;
  };
}
