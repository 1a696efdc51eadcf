/**
 * A failure of a content command the user can act on (no credentials, the service
 * not running, an item refused); the CLI prints its message alone and exits 1.
 */
export class CommandError extends Error {
  override name = "CommandError";
}
