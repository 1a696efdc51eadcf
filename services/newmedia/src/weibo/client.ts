import axios, { type AxiosInstance, type AxiosResponse } from "axios";

/** The part of a Weibo status (post) the publisher reads. */
export interface WeiboStatus {
  id: string;
  idstr: string;
  text: string;
  createdAt: Date;
  /** The author's uid. */
  uid: string;
  /** The post's public page, when the platform names one. */
  url?: string;
}

/** The platform answered with an error object: `{ request, error_code, error }`. */
export class WeiboApiError extends Error {
  override readonly name = "WeiboApiError";
  constructor(
    readonly api: string,
    readonly errorCode: number,
    readonly error: string,
    readonly httpStatus: number,
  ) {
    super(`微博接口 ${api} 返回错误 ${errorCode}: ${error}`);
  }
}

/** A picture to attach to a post, checked by the caller. */
export interface WeiboPicture {
  data: Buffer;
  contentType: "image/jpeg" | "image/png" | "image/gif";
  fileName: string;
}

/** The APIs the client calls, as quotas count them. */
export type WeiboApi =
  "statuses/share" | "statuses/show" | "statuses/user_timeline" | "statuses/destroy/biz";

export interface WeiboClientOptions {
  /** https://api.weibo.com, or the emulator. */
  baseUrl: string;
  /** The account user's OAuth2 access token; called for every request, so a rotated token is picked up. */
  accessToken: () => string;
  /** Called once per request sent, for the quota counts. */
  onCall?: (api: WeiboApi) => Promise<void> | void;
  timeoutMs?: number;
}

interface RawStatus {
  id?: number | string;
  idstr?: string;
  mid?: string;
  text?: string;
  created_at?: string;
  user?: { id?: number | string; idstr?: string };
  /** Not part of the platform's status object; an emulator may name the public page. */
  url?: string;
}

interface RawError {
  error_code?: number | string;
  error?: string;
  request?: string;
}

/**
 * A client of the Weibo open API (v2): `statuses/share` to post with a link into
 * the app's safe domain, `statuses/show` to see whether a post is still there and
 * `statuses/destroy/biz` for apps allowed to delete. Every error answer becomes a
 * {@link WeiboApiError} with the platform's code; transport errors are left as
 * they are (the caller treats them as transient).
 */
export class WeiboClient {
  private readonly http: AxiosInstance;

  constructor(private readonly options: WeiboClientOptions) {
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ""),
      timeout: options.timeoutMs ?? 30_000,
      // Error answers are read here, whatever their HTTP status.
      validateStatus: () => true,
    });
  }

  /** Posts `text` (which must carry a safe-domain link), with `picture` when given. */
  async share(text: string, picture?: WeiboPicture): Promise<WeiboStatus> {
    const token = this.options.accessToken();
    let body: URLSearchParams | FormData;
    if (picture) {
      const form = new FormData();
      form.append("access_token", token);
      form.append("status", text);
      form.append(
        "pic",
        new Blob([new Uint8Array(picture.data)], { type: picture.contentType }),
        picture.fileName,
      );
      body = form;
    } else {
      body = new URLSearchParams({ access_token: token, status: text });
    }
    await this.options.onCall?.("statuses/share");
    const response = await this.send("statuses/share", () =>
      this.http.post<unknown>("/2/statuses/share.json", body),
    );
    return toStatus(read("statuses/share", response));
  }

  /** The post `id`; a deleted or unknown post answers with error 20101. */
  async show(id: string): Promise<WeiboStatus> {
    await this.options.onCall?.("statuses/show");
    const response = await this.send("statuses/show", () =>
      this.http.get<unknown>("/2/statuses/show.json", {
        params: { access_token: this.options.accessToken(), id },
      }),
    );
    return toStatus(read("statuses/show", response));
  }

  /**
   * Sends a request. A transport failure becomes an error that carries only its
   * message: axios's own error holds the request, access token included, and
   * whoever logs the error would print it.
   */
  private async send(
    api: WeiboApi,
    request: () => Promise<AxiosResponse<unknown>>,
  ): Promise<AxiosResponse<unknown>> {
    try {
      return await request();
    } catch (error) {
      throw new WeiboUnreachableError(`微博接口 ${api} 无法访问：${(error as Error).message}`);
    }
  }

  /**
   * The account's own latest posts, newest first (`statuses/user_timeline`, which
   * since 2013 answers only for the authorised user: the account itself).
   */
  async userTimeline(count = 20): Promise<WeiboStatus[]> {
    await this.options.onCall?.("statuses/user_timeline");
    const response = await this.send("statuses/user_timeline", () =>
      this.http.get<unknown>("/2/statuses/user_timeline.json", {
        params: { access_token: this.options.accessToken(), count },
      }),
    );
    const raw = read("statuses/user_timeline", response) as { statuses?: RawStatus[] };
    return (raw.statuses ?? []).map(toStatus);
  }

  /** Deletes the post `id` (commercial apps only). */
  async destroyBiz(id: string): Promise<WeiboStatus> {
    await this.options.onCall?.("statuses/destroy/biz");
    const response = await this.send("statuses/destroy/biz", () =>
      this.http.post<unknown>(
        "/2/statuses/destroy/biz.json",
        new URLSearchParams({ access_token: this.options.accessToken(), id }),
      ),
    );
    return toStatus(read("statuses/destroy/biz", response));
  }
}

/** The platform could not be reached, or did not answer in time: transient. */
export class WeiboUnreachableError extends Error {
  override readonly name = "WeiboUnreachableError";
  readonly code = "weibo.unreachable";
}

function read(api: string, response: AxiosResponse<unknown>): RawStatus & Record<string, unknown> {
  const data = response.data;
  const error = (data ?? {}) as RawError;
  if (error.error_code !== undefined) {
    throw new WeiboApiError(
      api,
      Number(error.error_code),
      String(error.error ?? ""),
      response.status,
    );
  }
  if (response.status >= 400 || typeof data !== "object" || data === null) {
    // Not the platform's error shape (a proxy's page, a crash): transient, with what came back.
    throw new Error(
      `微博接口 ${api} 返回 HTTP ${response.status}，不是平台的应答格式：${JSON.stringify(data).slice(0, 200)}`,
    );
  }
  return data as RawStatus & Record<string, unknown>;
}

function toStatus(raw: RawStatus): WeiboStatus {
  const idstr = raw.idstr ?? (raw.id !== undefined ? String(raw.id) : undefined);
  if (!idstr) throw new Error("微博接口应答缺少微博 id（idstr）");
  const uid = raw.user?.idstr ?? (raw.user?.id !== undefined ? String(raw.user.id) : "");
  const createdAt = raw.created_at ? new Date(raw.created_at) : new Date(Number.NaN);
  return {
    id: idstr,
    idstr,
    text: raw.text ?? "",
    createdAt,
    uid,
    ...(raw.url ? { url: raw.url } : {}),
  };
}
