import { describeOperations, HTTP_ROUTE_SAMPLE } from './matrix.ts';
import { expireOnClickHttpRoute, promoteHttpRoute, rejectHttpRoute } from './operations.ts';

describeOperations('HTTPRoute promote, reject, late click', [promoteHttpRoute, rejectHttpRoute, expireOnClickHttpRoute], HTTP_ROUTE_SAMPLE);
