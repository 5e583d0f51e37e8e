/**
 * Opens the configured store and brings its schema up to date, or refuses a database that is not
 * Warden's or is newer than this build, before any service touches it.
 */
import { isAbsolute, resolve } from 'node:path';
import { WardenError } from '../core/index.js';
import type { WardenConfig } from '../config/index.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './types.js';

export interface OpenStoreOptions {
  /** The directory a relative `store.sqlite.path` is resolved against (default: the working directory). */
  baseDir?: string;
}

/**
 * Opens the store named by `store.driver` and runs pending migrations.
 * Throws WARDEN_STORE_UNAVAILABLE, WARDEN_STORE_NOT_WARDEN, WARDEN_STORE_TOO_NEW or
 * WARDEN_STORE_MIGRATION_FAILED with a message that says what to change.
 *
 * @example
 * const store = await openStore(config.store, { baseDir: dirname(configPath) });
 */
export async function openStore(
  storeConfig: WardenConfig['store'],
  options: OpenStoreOptions = {},
): Promise<Store> {
  if (storeConfig.driver === 'postgres') {
    const postgres = storeConfig.postgres;
    if (postgres === undefined) {
      throw new WardenError(
        'WARDEN_CONFIG_INVALID',
        'store.driver is "postgres" but store.postgres.url is not set; add store.postgres.url or use the sqlite driver.',
      );
    }
    return openPostgresStore(postgres);
  }
  const configured = storeConfig.sqlite.path;
  const path =
    configured === ':memory:' || isAbsolute(configured)
      ? configured
      : resolve(options.baseDir ?? process.cwd(), configured);
  return openSqliteStore({ path, synchronous: storeConfig.sqlite.synchronous });
}
