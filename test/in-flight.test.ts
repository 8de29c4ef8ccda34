import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createInFlight } from '../src/in-flight.ts';

describe('createInFlight', () => {
  it('shares one read between callers of the same key while it runs, and reads again once it settled', async () => {
    const inFlight = createInFlight();
    let reads = 0;
    let finish: (value: string) => void = () => undefined;
    const read = () => {
      reads += 1;
      return new Promise<string>((resolve) => (finish = resolve));
    };
    const first = inFlight('status prod', read);
    const second = inFlight('status prod', read);
    const other = inFlight('status staging', () => Promise.resolve('staging'));
    finish('prod at 09:00');
    assert.deepEqual(await Promise.all([first, second, other]), ['prod at 09:00', 'prod at 09:00', 'staging']);
    assert.equal(reads, 1);

    const later = inFlight('status prod', read);
    finish('prod at 09:01');
    assert.equal(await later, 'prod at 09:01', 'a settled read is never served again');
    assert.equal(reads, 2);
  });

  it('shares a failure with those who joined it, and the next caller reads anew', async () => {
    const inFlight = createInFlight();
    let attempt = 0;
    const read = async () => {
      attempt += 1;
      if (attempt === 1) throw new Error('API server unreachable');
      return 'answered';
    };
    const results = await Promise.allSettled([inFlight('status prod', read), inFlight('status prod', read)]);
    assert.deepEqual(results.map((result) => result.status), ['rejected', 'rejected']);
    assert.equal(await inFlight('status prod', read), 'answered');
  });
});
