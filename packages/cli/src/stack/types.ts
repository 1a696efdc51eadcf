/** One server of the local stack as `herald stack status` reports it. */
export interface ServerStatus {
  /** A process Herald started is alive. */
  running: boolean;
  /** It answers requests (Kafka: metadata; FerretDB: hello). */
  ready: boolean;
  address: string;
  /** The installed version, or null before the first `stack up`. */
  version: string | null;
  pid: number | null;
  dataDir: string;
  logFile: string;
}

export interface StackStatus {
  kafka: ServerStatus;
  ferretdb: ServerStatus;
}

/** One server of the local stack, as every stack command handles it. */
export interface StackServer {
  name: keyof StackStatus;
  /** Provisions it once, starts it unless it runs, and waits until it answers. */
  start(): Promise<"started" | "running">;
  /** Stops the process Herald started; false when none was running. */
  stop(): Promise<boolean>;
  status(): Promise<ServerStatus>;
  /**
   * Why the running process differs from what a start now would run (an older
   * build or configuration), or undefined; `stack up` leaves a running server
   * alone, since others may be using it, and says so instead.
   */
  outdated(): string | undefined;
  /** Its data, configuration and logs (not the cached downloads). */
  stateDir: string;
}
