import * as grpc from "@grpc/grpc-js";
import { Any, BadRequest, RpcStatus } from "@herald/contracts";

/** A status that ends a stream or a call; grpc-js reads `code`, `details` and `metadata`. */
export class StatusError extends Error {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
    readonly metadata?: grpc.Metadata,
  ) {
    super(details);
  }
}

export function statusError(code: grpc.status, details: string): StatusError {
  return new StatusError(code, details);
}

/** INVALID_ARGUMENT with a google.rpc.BadRequest naming the field and the rule it breaks. */
export function invalidArgument(field: string, description: string): StatusError {
  const message = `${field}: ${description}`;
  const badRequest = BadRequest.encode({
    fieldViolations: [{ field, description, reason: "" }],
  }).finish();
  const status = RpcStatus.encode({
    code: grpc.status.INVALID_ARGUMENT,
    message,
    details: [
      Any.fromPartial({
        typeUrl: "type.googleapis.com/google.rpc.BadRequest",
        value: Buffer.from(badRequest),
      }),
    ],
  }).finish();
  const metadata = new grpc.Metadata();
  metadata.set("grpc-status-details-bin", Buffer.from(status));
  return new StatusError(grpc.status.INVALID_ARGUMENT, message, metadata);
}
