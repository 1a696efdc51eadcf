import { backOff } from "exponential-backoff";
import mongoose, { type Connection } from "mongoose";
import type { Logger } from "../logging/logger";

export interface MongoOptions {
  url: string;
  /** The service's own database, e.g. "herald_content". */
  dbName: string;
  logger: Logger;
  /** Attempts before giving up (default 10, about a minute with backoff). */
  attempts?: number;
  appName?: string;
  /** How long one attempt waits for a server (default 5000 ms). */
  serverSelectionTimeoutMs?: number;
}

function redact(url: string): string {
  return url.replace(/\/\/([^/:@]+):([^/@]+)@/, "//$1:***@");
}

/**
 * Opens a mongoose connection to the service's own database, retrying with
 * exponential backoff and jitter while the server is unreachable, so services
 * can start before their database.
 */
export async function connectMongo(options: MongoOptions): Promise<Connection> {
  const log = options.logger.child({ component: "mongo", db: options.dbName });
  const attempts = options.attempts ?? 10;
  return backOff(
    async () => {
      const connection = mongoose.createConnection(options.url, {
        dbName: options.dbName,
        appName: options.appName ?? "herald",
        serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 5_000,
      });
      try {
        await connection.asPromise();
      } catch (error) {
        await connection.close(true).catch(() => undefined);
        throw error;
      }
      log.info({ url: redact(options.url) }, "connected");
      return connection;
    },
    {
      numOfAttempts: attempts,
      startingDelay: 250,
      maxDelay: 10_000,
      jitter: "full",
      retry: (error: unknown, attempt: number) => {
        log.warn(
          { url: redact(options.url), attempt, of: attempts, err: error },
          "database not reachable yet; retrying",
        );
        return true;
      },
    },
  );
}
