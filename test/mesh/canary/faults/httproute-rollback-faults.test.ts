import { describeOperations } from './matrix.ts';
import { rollbackCardHttpRoute, rollbackCommandHttpRoute, rollbackWithoutRecordHttpRoute } from './operations.ts';

describeOperations('HTTPRoute rollback', [rollbackCommandHttpRoute, rollbackCardHttpRoute, rollbackWithoutRecordHttpRoute]);
