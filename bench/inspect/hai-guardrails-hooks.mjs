/**
 * Module resolve hooks that let @presidio-dev/hai-guardrails 1.12 run from node_modules. Its bundle
 * hard-codes the build machine's path to piscina's worker
 * (`/home/runner/work/hai-guardrails/.../piscina/dist/worker.js`) and points its heuristic worker
 * at `workers/heuristic.worker.mjs`, a file the package does not ship (it ships
 * `dist/workers/heuristic.worker.js`). Both only change where a file is found; nothing is patched.
 * Registered by `hai-guardrails-register.mjs` for the hai-guardrails child process only.
 */
/** @type {{ suffix: string; url: string }[]} */
let redirects = [];

/** @param {{ redirects: { suffix: string; url: string }[] }} data */
export async function initialize(data) {
  redirects = data.redirects;
}

/**
 * @param {string} specifier
 * @param {unknown} context
 * @param {(specifier: string, context: unknown) => Promise<unknown>} nextResolve
 */
export async function resolve(specifier, context, nextResolve) {
  for (const redirect of redirects) {
    if (specifier.endsWith(redirect.suffix) && specifier !== redirect.url)
      return { url: redirect.url, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
