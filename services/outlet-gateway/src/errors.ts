import * as grpc from "@grpc/grpc-js";
import { Any, BadRequest, ErrorInfo, RpcStatus } from "@herald/contracts";

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

/** The domain of the ErrorInfo reasons this gateway gives. */
export const ERROR_DOMAIN = "outlet.herald";

/** A google.rpc.Status carrying `detail`, in the trailer every gRPC client library reads details from. */
function withDetail(
  code: grpc.status,
  message: string,
  detail: Any,
  metadata = new grpc.Metadata(),
): StatusError {
  const status = RpcStatus.encode({ code, message, details: [detail] }).finish();
  metadata.set("grpc-status-details-bin", Buffer.from(status));
  return new StatusError(code, message, metadata);
}

/** INVALID_ARGUMENT with a google.rpc.BadRequest naming the field and the rule it breaks. */
export function invalidArgument(field: string, description: string): StatusError {
  const badRequest = BadRequest.encode({
    fieldViolations: [{ field, description, reason: "" }],
  }).finish();
  return withDetail(
    grpc.status.INVALID_ARGUMENT,
    `${field}: ${description}`,
    Any.fromPartial({
      typeUrl: "type.googleapis.com/google.rpc.BadRequest",
      value: Buffer.from(badRequest),
    }),
  );
}

/** A status with a google.rpc.ErrorInfo: `reason` (the rule's id) and facts a client can act on. */
export function withErrorInfo(
  code: grpc.status,
  message: string,
  info: { reason: string; metadata: Record<string, string> },
  metadata?: grpc.Metadata,
): StatusError {
  const errorInfo = ErrorInfo.encode({
    reason: info.reason,
    domain: ERROR_DOMAIN,
    metadata: info.metadata,
  }).finish();
  return withDetail(
    code,
    message,
    Any.fromPartial({
      typeUrl: "type.googleapis.com/google.rpc.ErrorInfo",
      value: Buffer.from(errorInfo),
    }),
    metadata,
  );
}
