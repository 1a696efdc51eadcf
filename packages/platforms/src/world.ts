import { shanghaiDay } from "./clock";
import { type CallRecord, type WechatAccountSeed, type WeiboAccountSeed } from "./types";
import { newWechatAccount, type WechatAccountState } from "./wechat/state";
import { newWeiboAccount, type WeiboAccountState } from "./weibo/state";

/** An image the platform hosts (uploadimg, materials, Weibo pictures), by file name. */
export interface HostedImage {
  contentType: string;
  data: Buffer;
}

/** Calls kept in the log for listing; the per-API day counts are kept in full. */
const CALL_LOG_LIMIT = 20_000;

/** Everything both platforms hold, in memory, with the clock every rule reads. */
export class World {
  readonly wechat = new Map<string, WechatAccountState>();
  readonly weibo = new Map<string, WeiboAccountState>();
  readonly images = new Map<string, HostedImage>();
  calls: CallRecord[] = [];
  /** platform:account → api → Asia/Shanghai day → calls. */
  callCounts: Record<string, Record<string, Record<string, number>>> = {};
  /** The emulator's own URL, set once it listens (hosted images and article pages live there). */
  baseUrl = "";
  /** Source of platform-wide ids (publish ids, Weibo ids), kept in the state file so ids never repeat. */
  sequence = 0;
  /** Set on every change, so a state file is written only when something changed. */
  dirty = false;

  constructor(
    readonly now: () => number,
    readonly publishJobMs: number,
    wechat: WechatAccountSeed[],
    weibo: WeiboAccountSeed[],
  ) {
    for (const seed of wechat) this.wechat.set(seed.appId, newWechatAccount(seed));
    for (const seed of weibo) this.weibo.set(seed.uid, newWeiboAccount(seed));
  }

  nextSequence(): number {
    this.sequence += 1;
    return this.sequence;
  }

  record(platform: CallRecord["platform"], account: string, api: string, errcode: number): void {
    const at = this.now();
    this.calls.push({ platform, account, api, at, errcode });
    if (this.calls.length > CALL_LOG_LIMIT)
      this.calls.splice(0, this.calls.length - CALL_LOG_LIMIT);
    const key = `${platform}:${account}`;
    const perApi = (this.callCounts[key] ??= {});
    const perDay = (perApi[api] ??= {});
    const day = shanghaiDay(at);
    perDay[day] = (perDay[day] ?? 0) + 1;
    this.dirty = true;
  }
}
