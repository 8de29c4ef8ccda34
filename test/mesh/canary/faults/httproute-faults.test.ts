import { describeOperations } from './matrix.ts';
import { approveHttpRoute, rollbackCardHttpRoute, rollbackCommandHttpRoute } from './operations.ts';

describeOperations('HTTPRoute approve and rollback', [approveHttpRoute, rollbackCommandHttpRoute, rollbackCardHttpRoute]);
