/// <reference lib="webworker" />
import { runCoreChecks } from '../../runtime/core-checks.js';

runCoreChecks().then(
  (results) => postMessage({ results }),
  (error: unknown) => postMessage({ error: String(error) }),
);
