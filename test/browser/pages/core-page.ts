import { runCoreChecks } from '../../runtime/core-checks.js';

declare global { interface Window { coreResults?: Promise<Record<string, string>> } }
window.coreResults = runCoreChecks();
