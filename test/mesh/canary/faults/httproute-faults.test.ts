import { describeOperations, HTTP_ROUTE_SAMPLE } from './matrix.ts';
import { approveHttpRoute, sweepExpiryHttpRoute, sweepSettleLandedHttpRoute, sweepSettleNotLandedHttpRoute } from './operations.ts';

describeOperations('HTTPRoute approve and the leader sweep', [approveHttpRoute, sweepExpiryHttpRoute, sweepSettleLandedHttpRoute, sweepSettleNotLandedHttpRoute], HTTP_ROUTE_SAMPLE);
