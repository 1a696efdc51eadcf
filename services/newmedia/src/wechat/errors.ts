import { RetryLaterError } from "@herald/channel-kit";

/**
 * A failure the next attempt may get past (the platform busy, a quota that resets
 * at midnight, a publish job still running). channel-kit treats every error that
 * is not a PermanentChannelError as transient: a FAILED receipt, then a retry with
 * backoff. The `code` becomes the receipt's code, so operators see which rule held
 * the item back.
 */
export class WechatRetryableError extends Error {
  override readonly name = "WechatRetryableError";
  constructor(
    /** e.g. "wechat.busy", "wechat.quota", "wechat.publish_pending". */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A daily quota used up: carries when it resets, and the runtime retries the item
 * then (a RetryLaterError), instead of spending its attempts before midnight.
 */
export class WechatQuotaError extends RetryLaterError {
  override readonly name = "WechatQuotaError";
  constructor(
    readonly api: string,
    readonly resetsAt: Date,
    message: string,
    /** How long from now until the reset. */
    untilResetMs: number,
  ) {
    super("wechat.quota", message, untilResetMs);
  }
}
