/**
 * The herald command's building blocks, for scripts and the test harness that
 * drive the local stack without the command line.
 */
export { stackDown, stackReset, stackStatus, stackUp, type StackUpResult } from "./stack/stack";
export {
  stackSettings,
  repoRoot,
  KAFKA_VERSION,
  FERRETDB_VERSION,
  type StackSettings,
} from "./stack/settings";
export { StackError } from "./stack/errors";
export type { ServerStatus, StackStatus } from "./stack/types";
