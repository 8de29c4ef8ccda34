import { describeOperations } from './matrix.ts';
import { approveHttpRoute, sweepExpiryHttpRoute, sweepSettleLandedHttpRoute, sweepSettleNotLandedHttpRoute } from './operations.ts';

describeOperations('HTTPRoute approve and the leader sweep', [approveHttpRoute, sweepExpiryHttpRoute, sweepSettleLandedHttpRoute, sweepSettleNotLandedHttpRoute]);
