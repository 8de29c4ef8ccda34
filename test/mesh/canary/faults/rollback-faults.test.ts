import { describeOperations } from './matrix.ts';
import { rollbackCard, rollbackCommand, rollbackWithoutRecord } from './operations.ts';

describeOperations('rollback', [rollbackCommand, rollbackCard, rollbackWithoutRecord]);
