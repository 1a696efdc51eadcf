import { beijingTime } from "../beijing-time";
import { setTimeout as sleep } from "node:timers/promises";
import type { AxiosInstance } from "axios";
import type { Logger } from "@herald/runtime";
import { PermanentChannelError } from "@herald/channel-kit";
import { classifyWechatError } from "../platform-errors";
import { WechatQuotaError, WechatRetryableError } from "./errors";
import type { QuotaCounter } from "./quota";
import type { TokenSource } from "./token";

/** Every WeChat answer carries these; 0 (or none) is success. */
export interface WechatReply {
  errcode?: number;
  errmsg?: string;
}

export interface CallOptions {
  /** Error codes handed back to the caller instead of thrown (53600 "invalid article_id" for a lookup). */
  accept?: readonly number[];
}

export interface WechatClientOptions {
  http: AxiosInstance;
  tokens: TokenSource;
  quota: QuotaCounter;
  logger: Logger;
  /** Waits between attempts when the platform is busy or rate-limits; its length is the number of retries. */
  busyBackoffMs: readonly number[];
  /** Called after each counted call (to persist the counts). */
  onCounted?: () => void;
}

/**
 * One WeChat API call with the error handling every call shares: the access token
 * added and replaced once when the platform rejects it, busy answers retried after
 * a pause, daily quotas respected before the call is made, and every other error
 * turned into a permanent refusal or a retryable failure by its class.
 */
export class WechatClient {
  constructor(private readonly options: WechatClientOptions) {}

  /**
   * POSTs `body` (JSON, or multipart when it is FormData) to `/cgi-bin/<api>`.
   * `api` is also the name the call is counted under ("freepublish/get").
   */
  async call<T extends WechatReply>(
    api: string,
    body: object | FormData,
    options: CallOptions = {},
    query: Record<string, string> = {},
  ): Promise<T> {
    const { http, tokens, quota, logger, busyBackoffMs } = this.options;
    if (quota.exhausted(api)) throw this.quotaError(api);
    let token = await tokens.get();
    let tokenReplaced = false;
    for (let busyRetries = 0; ;) {
      quota.count(api);
      this.options.onCounted?.();
      let data: T;
      try {
        const response = await http.post<T>(`/cgi-bin/${api}`, body, {
          params: { access_token: token, ...query },
        });
        data = response.data;
        if (response.status >= 300 && typeof data?.errcode !== "number") {
          throw new Error(`HTTP ${response.status}`);
        }
      } catch (error) {
        // A timeout or a refused connection says nothing about the request: the
        // runtime retries the whole apply, which checks what the platform holds.
        throw new WechatRetryableError(
          "wechat.unreachable",
          `微信接口无法访问：${api} (${(error as Error).message})`,
        );
      }
      const code = data.errcode ?? 0;
      if (code === 0 || options.accept?.includes(code)) return data;
      const errmsg = data.errmsg ?? "";
      const info = classifyWechatError(code, errmsg);
      const detail = `${info.sentence} (${api}: ${code} ${errmsg})`;
      switch (info.class) {
        case "token":
          if (tokenReplaced) throw new WechatRetryableError(info.rule, detail);
          tokenReplaced = true;
          logger.info(
            { api, errcode: code },
            "WeChat rejected the access token: replacing it once",
          );
          token = await tokens.replace(token);
          continue;
        case "busy":
        case "rate_limited": {
          const wait = busyBackoffMs[busyRetries];
          if (wait === undefined) throw new WechatRetryableError(info.rule, detail);
          busyRetries += 1;
          logger.info({ api, errcode: code, waitMs: wait }, "WeChat busy: waiting before retrying");
          await sleep(wait);
          continue;
        }
        case "quota":
          quota.exhaust(api);
          throw this.quotaError(api, detail);
        case "refused":
        case "permission":
          throw new PermanentChannelError(info.rule, detail);
        default:
          throw new WechatRetryableError(info.rule, detail);
      }
    }
  }

  private quotaError(api: string, detail?: string): WechatQuotaError {
    const resetsAt = this.options.quota.resetsAt();
    return new WechatQuotaError(
      api,
      resetsAt,
      `微信公众号接口 ${api} 今日调用次数已用完，${beijingTime(resetsAt.getTime())}（北京时间）重置后再试` +
        (detail ? ` ${detail}` : ""),
      this.options.quota.untilReset(),
    );
  }
}
