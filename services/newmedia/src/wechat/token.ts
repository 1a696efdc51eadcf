import type { AxiosInstance } from "axios";
import type { Logger } from "@herald/runtime";
import { PermanentChannelError } from "@herald/channel-kit";
import { classifyWechatError } from "../platform-errors";
import { WechatRetryableError } from "./errors";

/** Refresh when this share of the token's lifetime has passed, before the platform lets it lapse. */
const REFRESH_AT = 0.9;

interface StableTokenResponse {
  access_token?: string;
  expires_in?: number;
  errcode?: number;
  errmsg?: string;
}

export interface TokenSourceOptions {
  http: AxiosInstance;
  appId: string;
  secret: string;
  now: () => number;
  logger: Logger;
  /** Called once per stable_token request, for the call counts. */
  onCall: (api: string) => void;
}

/**
 * The account's access token and its one refresher. `cgi-bin/stable_token` in its
 * normal mode hands back the token the account already has, so other processes
 * using the same account keep working; `force_refresh` (20 a day, and it voids
 * every other holder's token) is used only when the platform rejects a token that
 * normal mode keeps returning. Concurrent callers share one request in flight.
 */
export class TokenSource {
  private token: string | undefined;
  private refreshAfter = 0;
  private inFlight: Promise<string> | undefined;

  constructor(private readonly options: TokenSourceOptions) {}

  /** A token believed valid: the cached one, or a fresh one when it is near its end. */
  get(): Promise<string> {
    if (this.token !== undefined && this.options.now() < this.refreshAfter) {
      return Promise.resolve(this.token);
    }
    return this.refresh(false);
  }

  /**
   * The platform said `rejected` is invalid or expired. Returns the token to retry
   * with: if another caller already replaced it, that one; otherwise a new one.
   */
  async replace(rejected: string): Promise<string> {
    if (this.inFlight) return this.inFlight;
    if (this.token !== undefined && this.token !== rejected) return this.token;
    const fresh = await this.refresh(false);
    if (fresh !== rejected) return fresh;
    this.options.logger.warn(
      { appId: this.options.appId },
      "stable_token returned the token the platform had just rejected: forcing a new one",
    );
    return this.refresh(true);
  }

  private refresh(force: boolean): Promise<string> {
    if (this.inFlight) return this.inFlight;
    const request = this.request(force).finally(() => {
      this.inFlight = undefined;
    });
    this.inFlight = request;
    return request;
  }

  private async request(force: boolean): Promise<string> {
    const { http, appId, secret, now, onCall } = this.options;
    onCall("stable_token");
    let data: StableTokenResponse;
    try {
      const response = await http.post<StableTokenResponse>("/cgi-bin/stable_token", {
        grant_type: "client_credential",
        appid: appId,
        secret,
        force_refresh: force,
      });
      data = response.data;
    } catch (error) {
      throw new WechatRetryableError(
        "wechat.unreachable",
        `微信接口无法访问：获取 access_token 失败 (${(error as Error).message})`,
      );
    }
    if (data.errcode !== undefined && data.errcode !== 0) {
      const info = classifyWechatError(data.errcode, data.errmsg);
      const detail = `${info.sentence} (stable_token ${data.errcode} ${data.errmsg ?? ""})`;
      // A wrong AppSecret or an IP not on the whitelist does not heal by retrying.
      if (info.class === "refused" || info.class === "permission") {
        throw new PermanentChannelError(info.rule, detail);
      }
      throw new WechatRetryableError(info.rule, detail);
    }
    if (typeof data.access_token !== "string" || typeof data.expires_in !== "number") {
      throw new WechatRetryableError(
        "wechat.bad_response",
        "微信接口返回了无法识别的 access_token 应答 (stable_token: access_token/expires_in missing)",
      );
    }
    this.token = data.access_token;
    this.refreshAfter = now() + data.expires_in * 1000 * REFRESH_AT;
    return data.access_token;
  }
}
