import { approve, rollbackCommand } from './operations.ts';
import { describeRaces, races, VIRTUAL_SERVICE_CHANGES } from './races.ts';

describeRaces({
  title: 'interleavings and changes underneath',
  races: races(),
  seeds: [1, 2, 3, 4, 5, 6, 7, 8],
  changes: VIRTUAL_SERVICE_CHANGES,
  underneath: [
    { label: 'approval of an unnamed route', operation: { ...approve, name: 'approve (unnamed route)', seed: { routeName: null } } },
    { label: 'rollback', operation: rollbackCommand },
  ],
});
