import { describeOperations, HTTP_ROUTE_SAMPLE } from './matrix.ts';
import { rollbackCardHttpRoute, rollbackCommandHttpRoute, rollbackWithoutRecordHttpRoute } from './operations.ts';

describeOperations('HTTPRoute rollback', [rollbackCommandHttpRoute, rollbackCardHttpRoute, rollbackWithoutRecordHttpRoute], HTTP_ROUTE_SAMPLE);
