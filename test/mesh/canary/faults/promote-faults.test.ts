import { describeOperations } from './matrix.ts';
import { expireOnClick, promote, reject } from './operations.ts';

describeOperations('promote, reject, late click', [promote, reject, expireOnClick]);
