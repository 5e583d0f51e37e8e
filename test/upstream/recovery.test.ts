/** Dead, crashing and silent upstreams: reported down, failing fast, retried with backoff; close() leaves no children. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createUpstreamCatalog } from '../../src/upstream/index.js';
import {
  FIXTURE,
  MemoryLogger,
  NODE,
  REPO_DIR,
  declare,
  nextToolsChange,
  processGone,
  rejectsWith,
  servers,
  stateOf,
  statusOf,
  textOf,
  waitFor,
} from './helpers.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-upstream-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a server whose process exits is reported down, fails fast, and is back after its backoff', async () => {
  const logger = new MemoryLogger();
  const catalog = createUpstreamCatalog({
    baseDir: REPO_DIR,
    logger,
    // The default backoff: the first retry comes 0.4 to 0.6 s after the crash.
    servers: servers({
      fx: { transport: 'stdio', command: NODE, args: [FIXTURE], tools: declare('echo', 'crash') },
      other: { transport: 'stdio', command: NODE, args: [FIXTURE], tools: declare('echo') },
    }),
  });
  try {
    await catalog.start();
    const firstPid = statusOf(catalog, 'fx').pid;
    assert.ok(firstPid);
    const dropped = nextToolsChange(catalog);

    await rejectsWith(
      catalog.callTool('fx__crash', {}),
      'WARDEN_UPSTREAM_UNAVAILABLE',
      /the connection to server "fx" failed during the call, so whether fx__crash ran is unknown/,
    );
    await dropped;
    const down = statusOf(catalog, 'fx');
    assert.equal(down.state, 'down');
    assert.match(down.lastError ?? '', /its process exited \(last stderr line: fixture: crashing as told\)/);
    assert.ok(down.retryAt && Date.parse(down.retryAt) > Date.parse(down.since));
    assert.ok(!catalog.listTools().some((tool) => tool.server === 'fx'), 'a down server lists no tools');

    const started = Date.now();
    const error = await rejectsWith(
      catalog.callTool('fx__echo', { text: 'hello' }),
      'WARDEN_UPSTREAM_UNAVAILABLE',
      /fx__echo cannot be called: server "fx" is down since [^:]*:\d\d:\d\d\.\d{3}Z\. Warden retries at \d{4}-\d\d-\d\dT/,
    );
    assert.ok(Date.now() - started < 100, 'fails fast');
    assert.equal(error.details.server, 'fx');
    assert.equal(error.details.retryAt, down.retryAt);
    assert.equal(textOf(await catalog.callTool('other__echo', { text: 'still here' })), 'still here');

    await waitFor('fx to be ready again', () => stateOf(catalog, 'fx') === 'ready');
    assert.equal(textOf(await catalog.callTool('fx__echo', { text: 'back' })), 'back');
    const status = statusOf(catalog, 'fx');
    assert.equal(status.lastError, null);
    assert.notEqual(status.pid, firstPid);
    assert.ok(processGone(firstPid));
  } finally {
    await catalog.close();
  }
});

test('a server that crashes on start is retried with doubling delays until it stays up', async () => {
  const logger = new MemoryLogger();
  const stateFile = join(dir, 'starts');
  const catalog = createUpstreamCatalog({
    baseDir: REPO_DIR,
    logger,
    backoff: { initialMs: 50, maxMs: 1000 },
    servers: servers({
      flaky: {
        transport: 'stdio',
        command: NODE,
        args: [FIXTURE, '--state', stateFile, '--crash-starts', '3'],
        tools: declare('echo'),
      },
    }),
  });
  try {
    await catalog.start();
    // start() resolved after the first attempt failed; it did not wait for the retries.
    assert.ok(['down', 'connecting'].includes(stateOf(catalog, 'flaky') ?? ''));
    await waitFor('flaky to be ready', () => stateOf(catalog, 'flaky') === 'ready');
    assert.equal(await readFile(stateFile, 'utf8'), '4');
    const delays = logger
      .matching('warn', /upstream "flaky" is down; retrying in/)
      .map((line) => line.fields.retryInMs as number);
    assert.equal(delays.length, 3);
    // 50, 100, 200 ms, each ±20%.
    [50, 100, 200].forEach((base, index) => {
      assert.ok(
        delays[index]! >= base * 0.8 && delays[index]! <= base * 1.2,
        `delay ${index}: ${delays[index]}`,
      );
    });
    assert.match(
      String(logger.matching('warn', /upstream "flaky" is down/)[0]?.fields.error),
      /its process exited \(last stderr line: fixture: crashing on start 1 as told\)/,
    );
    assert.equal(textOf(await catalog.callTool('flaky__echo', { text: 'ok' })), 'ok');
  } finally {
    await catalog.close();
  }
});

test('start() resolves when a command does not exist, and calls to it fail fast naming the problem', async () => {
  const catalog = createUpstreamCatalog({
    baseDir: REPO_DIR,
    backoff: { initialMs: 60_000 },
    servers: servers({
      ghost: { transport: 'stdio', command: join(dir, 'no-such-server'), tools: declare('echo') },
      fx: { transport: 'stdio', command: NODE, args: [FIXTURE], tools: declare('echo') },
    }),
  });
  try {
    await catalog.start();
    const ghost = statusOf(catalog, 'ghost');
    assert.equal(ghost.state, 'down');
    assert.match(
      ghost.lastError ?? '',
      /its command ".*no-such-server" was not found \(check servers\.ghost\.command and PATH\)/,
    );
    await rejectsWith(
      catalog.callTool('ghost__echo', { text: 'x' }),
      'WARDEN_UPSTREAM_UNAVAILABLE',
      /server "ghost" is down since [^ ]+\. Warden retries at/,
    );
    assert.equal(stateOf(catalog, 'fx'), 'ready');
    assert.deepEqual(
      catalog.listTools().map((tool) => tool.exposedName),
      ['fx__echo'],
    );
  } finally {
    await catalog.close();
  }
});

test('a server that never answers initialize is down after the connect timeout', async () => {
  const catalog = createUpstreamCatalog({
    baseDir: REPO_DIR,
    connectTimeoutMs: 300,
    servers: servers({
      mute: { transport: 'stdio', command: NODE, args: [FIXTURE, '--mute'], tools: declare('echo') },
    }),
  });
  try {
    const started = Date.now();
    await catalog.start();
    assert.ok(Date.now() - started < 3000);
    const status = statusOf(catalog, 'mute');
    assert.equal(status.state, 'down');
    assert.match(
      status.lastError ?? '',
      /it did not finish starting \(initialize and tools\/list\) within 300 ms/,
    );
  } finally {
    await catalog.close();
  }
});

test('close() ends every stdio child process and later calls are refused', async () => {
  const catalog = createUpstreamCatalog({
    baseDir: REPO_DIR,
    servers: servers({
      one: { transport: 'stdio', command: NODE, args: [FIXTURE], tools: declare('echo', 'slow') },
      two: { transport: 'stdio', command: NODE, args: [FIXTURE, '--garbage'], tools: declare('echo') },
    }),
  });
  await catalog.start();
  const pids = catalog.status().map((status) => status.pid);
  assert.equal(pids.length, 2);
  assert.ok(pids.every((pid) => typeof pid === 'number' && !processGone(pid)));
  const inFlight = rejectsWith(
    catalog.callTool('one__slow', {}),
    'WARDEN_UPSTREAM_UNAVAILABLE',
    /the call to one__slow was cut off because Warden is shutting down/,
  );

  await catalog.close();

  for (const pid of pids) assert.ok(processGone(pid!), `process ${pid} is gone`);
  assert.deepEqual(
    catalog.status().map((status) => [status.state, status.pid]),
    [
      ['closed', undefined],
      ['closed', undefined],
    ],
  );
  await inFlight;
  await rejectsWith(
    catalog.callTool('two__echo', { text: 'x' }),
    'WARDEN_UPSTREAM_UNAVAILABLE',
    /Warden is shutting down/,
  );
  assert.deepEqual(catalog.listTools(), []);
});
