import { expect, it } from 'vitest';
import { CORE_EXPECTED, runCoreChecks } from '../../runtime/core-checks.js';

it('the shared runtime checks pass in Node', async () => {
  expect(await runCoreChecks()).toEqual(CORE_EXPECTED);
});
