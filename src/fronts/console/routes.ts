/**
 * Serves the web console's built files at /console/. It holds no data and no security rules: the
 * console is a page that talks to the admin API, which authenticates and authorizes every call. This
 * front only guarantees the page cannot load anything from elsewhere (a strict Content-Security-Policy,
 * no inline scripts, no framing), that index.html is never cached and that hashed assets are.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `npm run build` writes the console: dist/console at the repository (or package) root. */
export const DEFAULT_CONSOLE_ROOT = resolve(import.meta.dirname, '..', '..', '..', 'dist', 'console');

/** The page may load scripts, styles, images and API answers from Warden itself, nothing else. */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Vite names built assets `<name>-<hash>.<ext>`, so a changed file has a new name. */
const HASHED_ASSET = /^assets\/[\w.-]+-[\w-]{8,}\.\w+$/;
/** A path with an extension asks for a file; anything else is a client-side route of the app. */
const FILE_LIKE = /\.[A-Za-z0-9]+$/;
/** Longest path below /console/ that is looked at. */
const MAX_PATH_LENGTH = 512;

export interface ConsoleRoutesOptions {
  /** Directory holding the built console (index.html, assets/). Default: {@link DEFAULT_CONSOLE_ROOT}. */
  root?: string;
}

/**
 * Fastify plugin serving the console at /console/ (register it without a prefix).
 *
 * @example
 * await app.register(consoleRoutes, {});
 * // GET /console/ → index.html; GET /console/approvals/apr_1 → index.html (a client route)
 */
export async function consoleRoutes(app: FastifyInstance, options: ConsoleRoutesOptions): Promise<void> {
  const root = options.root ?? DEFAULT_CONSOLE_ROOT;
  // The files are looked for on each request until found, so building after start works too.
  let built = false;
  const isBuilt = (): boolean => (built ||= existsSync(join(root, 'index.html')));

  await app.register(fastifyStatic, { serve: false, decorateReply: true });

  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.headers({
      'content-security-policy': CONSOLE_CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
    });
    return payload;
  });

  app.get('/console', async (_request, reply) => reply.redirect('/console/', 302));

  app.get<{ Params: { '*': string } }>('/console/*', async (request, reply) => {
    if (!isBuilt()) return notBuilt(reply);
    const path = request.params['*'];
    if (path.length > MAX_PATH_LENGTH || !isPlainPath(path)) return notFound(reply);
    if (path === '' || path === 'index.html' || !FILE_LIKE.test(path)) return sendIndex(reply, root);
    // A missing file (or a dotfile) is a 404 that nobody may cache: the file may appear with the next
    // build. Only a found hashed asset is cached for a year.
    if (!(await isServableFile(root, path))) return notFound(reply);
    void reply.header(
      'cache-control',
      HASHED_ASSET.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    // `send` also refuses paths leaving the root; dotfiles and missing files get Warden's JSON 404.
    return reply.sendFile(path, root, { cacheControl: false, dotfiles: 'ignore' });
  });
}

/** No NUL, no backslash, no `..` segment, even percent-encoded: such a path is answered 404. */
function isPlainPath(path: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  return !/[\0\\]/.test(decoded) && !decoded.split('/').includes('..');
}

/** True for a regular file below `root` with no dot-segment (`path` is already a plain path). */
async function isServableFile(root: string, path: string): Promise<boolean> {
  const decoded = decodeURIComponent(path);
  if (decoded.split('/').some((segment) => segment.startsWith('.'))) return false;
  try {
    return (await stat(join(root, decoded))).isFile();
  } catch {
    return false;
  }
}

/** Warden's 404, never cached. */
function notFound(reply: FastifyReply): FastifyReply {
  void reply.header('cache-control', 'no-store');
  reply.callNotFound();
  return reply;
}

function sendIndex(reply: FastifyReply, root: string): FastifyReply {
  void reply.header('cache-control', 'no-store');
  return reply.sendFile('index.html', root, { cacheControl: false });
}

/** The answer before the console is built; it names no path on this machine (anyone may ask). */
function notBuilt(reply: FastifyReply): FastifyReply {
  return reply
    .code(503)
    .header('cache-control', 'no-store')
    .type('text/plain; charset=utf-8')
    .send(
      'The Warden console is not built.\n' +
        'Run `npm run build` in the Warden directory (npm install and npm ci run it for you), then reload this page.\n' +
        'The admin API at /admin (OpenAPI document at /admin/openapi.json) works without it.\n',
    );
}
