import type { PoolOptions } from './index';

/** What pgConfig() gives a pg.Pool. */
export interface PgConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  /** node-postgres calls it for every new connection. */
  password: () => Promise<string>;
  ssl: false | { rejectUnauthorized: boolean; ca?: string };
  maxLifetimeSeconds: number;
}

/** A function for node-postgres's `password` option. */
export function lakebasePassword(options?: PoolOptions): () => Promise<string>;

/** host, port, database, user, password function, ssl and maxLifetimeSeconds for pg.Pool. */
export function pgConfig(options?: PoolOptions): Promise<PgConfig>;
