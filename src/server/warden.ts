/**
 * Composition root: opens the store, loads the master key, and wires the audit log, signing keys,
 * agents and tokens together. The server and every CLI command get their services from here.
 */
import { AuditLog } from '../audit/index.js';
import type { LoadedConfig, ResolvedConfig } from '../config/index.js';
import { systemClock } from '../core/index.js';
import type { Clock } from '../core/index.js';
import {
  AgentService,
  KeyManager,
  MASTER_KEY_CHECK_META_KEY,
  TokenService,
  checkMasterKey,
  loadMasterKey,
} from '../identity/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';

export interface Warden {
  readonly loaded: LoadedConfig;
  readonly config: ResolvedConfig;
  readonly clock: Clock;
  readonly store: Store;
  readonly audit: AuditLog;
  readonly keys: KeyManager;
  readonly agents: AgentService;
  readonly tokens: TokenService;
  /** Flushes the audit log (signing a final checkpoint if this process wrote entries) and closes the store. */
  close(): Promise<void>;
}

export interface OpenWardenOptions {
  /** Who is acting, for the audit log: `system` for the server, `cli:<user>` for the CLI. */
  actor: string;
  /**
   * Bring the store in line with the config: create missing signing keys and create or update
   * the agents the config defines. The server and mutating commands do; read-only commands do not.
   */
  sync: boolean;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** Where background failures (an interval checkpoint that could not be written) are reported. */
  onBackgroundError?: (error: unknown) => void;
}

/**
 * Opens every service for one configuration. Close it with `warden.close()`.
 *
 * @example
 * const warden = await openWarden(await loadConfig({ path: 'warden.yaml' }), { actor: 'system', sync: true });
 */
export async function openWarden(loaded: LoadedConfig, options: OpenWardenOptions): Promise<Warden> {
  const { config } = loaded;
  const clock = options.clock ?? systemClock;
  const store = await openStore(config.store, { baseDir: loaded.baseDir });
  try {
    const masterKey = await loadMasterKey({
      env: options.env ?? process.env,
      keyFile: config.secrets.masterKeyFile,
      baseDir: loaded.baseDir,
      // Only a new store may get a new key: an existing one holds values sealed under the old key.
      createIfMissing: (await store.meta.get(MASTER_KEY_CHECK_META_KEY)) === null,
    });
    await checkMasterKey(store.meta, masterKey);

    // The audit log signs checkpoints lazily, through the key manager created just below.
    const audit: AuditLog = new AuditLog({
      store: store.audit,
      clock,
      digestKey: masterKey.deriveKey('audit-digest'),
      signer: {
        keyId: (): Promise<string> => keys.checkpointSigner().keyId(),
        sign: (keyId: string, payload: Uint8Array) => keys.checkpointSigner().sign(keyId, payload),
      },
      verifier: { verify: (...check) => keys.checkpointVerifier().verify(...check) },
      checkpointEvery: config.audit.checkpointEvery,
      checkpointIntervalSeconds: config.audit.checkpointInterval,
      ...(options.onBackgroundError ? { onError: options.onBackgroundError } : {}),
    });
    const keys: KeyManager = new KeyManager({
      store: store.keys,
      masterKey,
      clock,
      audit,
      tokenLifetimeSeconds: config.identity.tokenLifetime,
      clockToleranceSeconds: config.identity.clockTolerance,
    });
    const agents = new AgentService({
      store: store.agents,
      audit,
      clock,
      dataClasses: config.dataClasses.map((dataClass) => dataClass.name),
      roles: Object.keys(config.roles),
    });
    if (options.sync) {
      await keys.ensureKeys(options.actor);
      await agents.syncFromConfig(config.agents, options.actor);
    }
    const tokens = new TokenService({
      agents: store.agents,
      keys,
      audit,
      clock,
      issuer: config.server.publicUrl,
      audience: config.server.publicUrl,
      lifetimeSeconds: config.identity.tokenLifetime,
      clockToleranceSeconds: config.identity.clockTolerance,
    });
    return {
      loaded,
      config,
      clock,
      store,
      audit,
      keys,
      agents,
      tokens,
      async close() {
        try {
          await audit.close();
        } finally {
          await store.close();
        }
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
