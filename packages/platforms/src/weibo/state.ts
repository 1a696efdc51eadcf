import { type WeiboAccountSeed } from "../types";
import { type InjectedFault } from "../wechat/state";

export interface WeiboPost {
  id: string;
  mid: string;
  text: string;
  /** The hosted picture's URL, when the post has one. */
  pic?: string;
  createdAt: number;
  deleted: boolean;
  deletedAt?: number;
}

export interface WeiboAccountState {
  seed: WeiboAccountSeed;
  posts: WeiboPost[];
  /** Set by the control API: the access token then answers 21327 (expired). */
  tokenExpired: boolean;
  faults: Partial<Record<string, InjectedFault>>;
}

export function newWeiboAccount(seed: WeiboAccountSeed): WeiboAccountState {
  return { seed, posts: [], tokenExpired: false, faults: {} };
}
