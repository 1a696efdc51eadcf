import type { Logger } from "@herald/runtime";
import type { WeiboAccount } from "../accounts";
import { WeiboApiError, type WeiboClient, type WeiboStatus } from "./client";
import type { AccountRate } from "./rate";
import type { WeiboStore } from "./store";

/** What the publisher's parts share for one account. */
export interface WeiboContext {
  account: WeiboAccount;
  outletId: string;
  store: WeiboStore;
  rate: AccountRate;
  client: WeiboClient;
  /** A platform call with the error handling by class (see `callWeibo`). */
  call<T>(what: string, fn: () => Promise<T>): Promise<T>;
  now(): number;
  logger: Logger;
}

/** The platform's answer for a post that is not (or no longer) there. */
export const POST_GONE = 20101;

/** The post `postId`, or undefined when the platform says it does not exist. */
export function showPost(ctx: WeiboContext, postId: string): Promise<WeiboStatus | undefined> {
  return ctx.call("statuses/show", async () => {
    try {
      return await ctx.client.show(postId);
    } catch (error) {
      if (error instanceof WeiboApiError && error.errorCode === POST_GONE) return undefined;
      throw error;
    }
  });
}

/** The public page of a post: the one the platform names, else weibo.com/<uid>/<id>. */
export function postUrl(account: WeiboAccount, status: WeiboStatus): string {
  return status.url ?? `https://weibo.com/${account.uid}/${status.idstr}`;
}
