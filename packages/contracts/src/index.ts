/**
 * Herald's wire contracts. Everything under `gen/` is generated from `proto/` by
 * `pnpm codegen` and never edited by hand; this module re-exports it together with
 * the topic and schema registry that binds messages to topics.
 */
export * from "./gen/herald/content/v1/item_state";
export * from "./gen/herald/content/v1/content_service";
export * from "./gen/herald/delivery/v1/delivery";
export * from "./gen/herald/channel/v1/inventory";
export * from "./gen/herald/channel/v1/announcement";
export * from "./gen/herald/reconciler/v1/reconciler";
export * from "./gen/herald/outlet/v1/outlet_gateway";
export { Timestamp } from "./gen/google/protobuf/timestamp";
export { Duration } from "./gen/google/protobuf/duration";
export { Any } from "./gen/google/protobuf/any";
export { Status as RpcStatus } from "./gen/google/rpc/status";
export { BadRequest, BadRequest_FieldViolation, ErrorInfo } from "./gen/google/rpc/error_details";
export {
  Schemas,
  Topics,
  MessageHeaders,
  PROTOBUF_CONTENT_TYPE,
  MAX_ITEM_STATE_BYTES,
  MAX_MESSAGE_BYTES,
  MESSAGE_OVERHEAD_BYTES,
  channelRedeliveryTopic,
  deadLetterTopic,
  isValidChannelName,
  type CleanupPolicy,
  type MessageCodec,
  type MessageSchema,
  type TopicSpec,
} from "./topics";
