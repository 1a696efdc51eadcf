/**
 * Domain errors. Each maps to one HTTP status and one gRPC code at the edges, so
 * handlers throw these and never build transport errors themselves.
 */

/** One problem with one field of the input, named by its path and the rule it breaks. */
export interface Violation {
  /** Path of the field, e.g. "body" or "penalty.party.name". */
  field: string;
  /** A stable rule identifier, e.g. "required" or "html.no-script". */
  rule: string;
  message: string;
  /** The offending text, shortened, where there is one. */
  excerpt?: string;
  /** For size rules: the size found and the limit, in bytes. */
  size?: number;
  limit?: number;
}

export class ValidationError extends Error {
  constructor(readonly violations: readonly Violation[]) {
    super(
      violations.length === 1
        ? `${violations[0]!.field}: ${violations[0]!.message}`
        : `${violations.length} problems: ${violations.map((v) => `${v.field}: ${v.message}`).join("; ")}`,
    );
    this.name = "ValidationError";
  }
}

/** The item would make a message larger than the topics take: HTTP 413, gRPC INVALID_ARGUMENT. */
export class TooLargeError extends ValidationError {
  constructor(
    violation: Omit<Violation, "size" | "limit">,
    readonly size: number,
    readonly limit: number,
  ) {
    super([{ ...violation, size, limit }]);
    this.name = "TooLargeError";
  }
}

/**
 * The request lacks something every request of its kind needs, whatever the item
 * (e.g. the revision a reviewer read): HTTP 400, gRPC INVALID_ARGUMENT.
 */
export class BadRequestError extends ValidationError {
  constructor(violations: readonly Violation[]) {
    super(violations);
    this.name = "BadRequestError";
  }
}

/**
 * No item with this id, or none the caller may see: the message names only the id
 * the caller sent, so both answers are the same byte for byte.
 */
export class NotFoundError extends Error {
  constructor(readonly itemId: string) {
    super(`no item with id ${JSON.stringify(itemId)}`);
    this.name = "NotFoundError";
  }
}

/** The item changed since the caller read it, or another writer claimed the same revision. */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly currentRevision?: number,
    /** For a review (approve, reject) of a revision that is no longer current. */
    readonly review?: { id: string; revision: number; currentRevision: number },
  ) {
    super(message);
    this.name = "ConflictError";
  }
}

/** The action does not apply to the item in its present state (e.g. approving a draft not in review). */
export class WorkflowError extends Error {
  constructor(
    message: string,
    readonly rule: string,
  ) {
    super(message);
    this.name = "WorkflowError";
  }
}

/** The actor is authenticated but may not do this. */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ForbiddenError";
  }
}

export class AlreadyExistsError extends Error {
  constructor(readonly itemId: string) {
    super(`an item with id ${JSON.stringify(itemId)} already exists with other content`);
    this.name = "AlreadyExistsError";
  }
}

/** No credentials, or credentials that match no known token. */
export class UnauthenticatedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnauthenticatedError";
  }
}
