import { describeOperations } from './matrix.ts';
import { approve, sweepExpiry, sweepSettleLanded, sweepSettleNotLanded } from './operations.ts';

describeOperations('approve and the leader sweep', [approve, sweepExpiry, sweepSettleLanded, sweepSettleNotLanded]);
