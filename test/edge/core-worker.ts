// A Cloudflare Worker that runs the shared core checks inside workerd and answers with the results.
import { runCoreChecks } from '../runtime/core-checks.js';

export default {
  async fetch(): Promise<Response> {
    try {
      return Response.json({ results: await runCoreChecks() });
    } catch (error) {
      return Response.json({ error: String(error) }, { status: 500 });
    }
  },
};
