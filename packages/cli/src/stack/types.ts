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
