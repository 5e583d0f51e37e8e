/**
 * Registers `hai-guardrails-hooks.mjs` (see there why). Loaded with `node --import` by the
 * hai-guardrails child process of bench/inspect.ts; piscina's worker threads inherit the flag.
 */
import { createRequire, register } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const haiMain = require.resolve('@presidio-dev/hai-guardrails');
const piscinaMain = createRequire(haiMain).resolve('piscina');

register(new URL('./hai-guardrails-hooks.mjs', import.meta.url), {
  data: {
    redirects: [
      {
        suffix: '/node_modules/piscina/dist/worker.js',
        url: pathToFileURL(join(dirname(piscinaMain), 'worker.js')).href,
      },
      {
        suffix: '/@presidio-dev/hai-guardrails/workers/heuristic.worker.mjs',
        url: pathToFileURL(join(dirname(haiMain), 'workers', 'heuristic.worker.js')).href,
      },
    ],
  },
});
