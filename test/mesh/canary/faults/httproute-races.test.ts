import { approveHttpRoute, rollbackCommandHttpRoute } from './operations.ts';
import { describeRaces, HTTP_ROUTE_CHANGES, races } from './races.ts';

// Seeds other than the VirtualService runs' 1–8, so the two kinds together explore more interleavings. A rollback
// re-reads the route on every conflict, so it is run with each change at a seeded half of its calls (always at
// its writes of the route) to keep the suite's time.
describeRaces({
  title: 'HTTPRoute interleavings and changes underneath',
  races: races({ kind: 'HTTPRoute' }),
  seeds: [9, 10, 11, 12],
  changes: HTTP_ROUTE_CHANGES,
  underneath: [
    { label: 'approval of an HTTPRoute rule', operation: approveHttpRoute },
    { label: 'rollback of an HTTPRoute', operation: rollbackCommandHttpRoute, sample: { fraction: 0.5, seed: 12 } },
  ],
});
