import { setTimeout as sleep } from "node:timers/promises";
import { PermanentChannelError, RetryLaterError } from "@herald/channel-kit";
import type { Logger } from "@herald/runtime";
import { classifyWeiboError } from "../platform-errors";
import { WeiboApiError } from "./client";
import { beijingTime, nextHour } from "./rate";

/**
 * A failure the runtime should retry later (a FAILED receipt, then backoff): the
 * platform is busy, the account is over a limit, or the answer was unknown.
 */
export class WeiboRetryableError extends Error {
  override readonly name = "WeiboRetryableError";
  constructor(
    /** The rule id the receipt carries, e.g. "weibo.rate_limited". */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface CallPolicy {
  /** Re-reads the access token (an operator may have rotated it); the call is then tried once more. */
  refreshToken(): void;
  /** The waits between attempts when the platform is busy or rate limited, then the runtime retries. */
  backoffMs: readonly number[];
  now(): number;
  /** Told when the platform rate-limits the account, so posting pauses for as long. */
  onRateLimited?(until: number): Promise<void>;
  logger: Logger;
}

/**
 * Runs one platform call with the error handling by class: a token error re-reads
 * the token and tries once more; busy and rate-limited answers wait and try again
 * a few times; a quota says when it resets; a refusal or a missing permission is
 * permanent with the platform's code and message in an operator's sentence; any
 * other answer, and transport errors, are retried by the runtime.
 */
export async function callWeibo<T>(
  what: string,
  policy: CallPolicy,
  call: () => Promise<T>,
): Promise<T> {
  let refreshed = false;
  let backoffs = 0;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof WeiboApiError)) throw error;
      const info = classifyWeiboError(error.errorCode, error.error);
      const detail = `(${error.errorCode} ${error.error})`;
      switch (info.class) {
        case "token":
          if (!refreshed) {
            refreshed = true;
            policy.refreshToken();
            policy.logger.warn({ code: error.errorCode, what }, "weibo token refused; re-read");
            continue;
          }
          throw new WeiboRetryableError(info.rule, `${info.sentence} ${detail}`);
        case "busy":
        case "rate_limited": {
          const wait = policy.backoffMs[backoffs];
          if (info.class === "rate_limited") {
            await policy.onRateLimited?.(policy.now() + (wait ?? policy.backoffMs.at(-1) ?? 0));
          }
          if (wait !== undefined) {
            backoffs += 1;
            policy.logger.warn(
              { code: error.errorCode, what, waitMs: wait },
              "weibo busy or rate limited; backing off",
            );
            await sleep(wait);
            continue;
          }
          if (info.class === "rate_limited" && policy.onRateLimited) {
            // Still limited after the backoffs: the platform counts by the hour, so posting
            // pauses until the next one rather than spending calls on more refusals.
            const until = nextHour(policy.now());
            await policy.onRateLimited(until);
            throw new RetryLaterError(
              info.rule,
              `${info.sentence} ${detail}；已重试 ${backoffs} 次，暂停发帖至 ${beijingTime(until)}（北京时间）`,
              until - policy.now(),
            );
          }
          throw new WeiboRetryableError(
            info.rule,
            `${info.sentence} ${detail}；已重试 ${backoffs} 次，稍后再试`,
          );
        }
        case "quota":
          // Calling again before the reset only burns calls: the runtime retries later.
          throw new RetryLaterError(
            info.rule,
            `${info.sentence} ${detail}；配额将于 ${beijingTime(nextHour(policy.now()))}（北京时间）恢复`,
            nextHour(policy.now()) - policy.now(),
          );
        case "refused":
        case "permission":
          throw new PermanentChannelError(info.rule, `${info.sentence} ${detail}`);
        default:
          throw new WeiboRetryableError(
            info.rule,
            `微博接口 ${what} 返回未知错误 ${detail}，将重试`,
          );
      }
    }
  }
}
