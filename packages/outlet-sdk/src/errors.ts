/** Throw from `apply` when the outlet will not hold the item by its own rule (not a failure). */
export class OutletDecline extends Error {
  constructor(
    /** A stable, machine-readable rule id, e.g. "registry.decision-without-party". */
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.name = "OutletDecline";
  }
}

/**
 * Throw from `apply` or `remove` to say how a failure should be handled. Any
 * other error counts as retryable with code "outlet.error".
 */
export class OutletFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** False: the item cannot be applied as it is, and is not sent again until it changes. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "OutletFailure";
  }
}
