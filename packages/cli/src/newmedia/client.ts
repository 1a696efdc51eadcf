import { CommandError } from "../content/errors";
import { readOperatorToken } from "../content/secrets";
import { localSecrets } from "../content/settings";
import { ServiceRequestError, callJson, explainedRefusal } from "../http/json-call";
import { stackSettings } from "../stack/settings";
import { newmediaSettings, newmediaUrl } from "./settings";

/** Where the newmedia commands send requests, and as whom. */
export interface NewmediaTarget {
  url: string;
  token: string;
}

/**
 * The newmedia channel's operators' API and token: HERALD_NEWMEDIA_URL and
 * HERALD_OPERATOR_TOKEN where set, else the address `herald up` runs it at
 * (HERALD_NEWMEDIA_PORT) and the operator token of the local credentials, the
 * one the reconciler takes too.
 */
export function newmediaTarget(environment: NodeJS.ProcessEnv = process.env): NewmediaTarget {
  const url = environment.HERALD_NEWMEDIA_URL?.trim();
  const token = environment.HERALD_OPERATOR_TOKEN?.trim();
  const stack = () => stackSettings(environment);
  return {
    url: (url || newmediaUrl(newmediaSettings(stack(), environment))).replace(/\/+$/, ""),
    token: token || readOperatorToken(localSecrets(stack()).tokensFile),
  };
}

export type FreshnessLevel = "ok" | "warning" | "finding";

/** One daily (or hourly) quota of a platform API, as the channel counts it. */
export interface QuotaView {
  api: string;
  used: number;
  limit: number;
  /** Near its limit: the channel slows down before the platform refuses. */
  warning: boolean;
}

/** One account as `GET /api/v1/accounts` lists it: an outlet of the channel. */
export interface AccountView {
  /** `wechat:<account>` or `weibo:<account>`. */
  outletId: string;
  platform: "wechat" | "weibo";
  account: string;
  displayName: string;
  ready: boolean;
  holdings: number;
  lastPost: { at: string; ref: string } | null;
  daysSincePost: number | null;
  freshness: { level: FreshnessLevel; warningDays: number; findingDays: number; message: string };
  quotas: QuotaView[];
  openTasks: number;
}

export interface AccountList {
  accounts: AccountView[];
}

/** Something an operator must do by hand, e.g. delete a Weibo post the API cannot delete. */
export interface TaskView {
  id: string;
  outletId: string;
  itemId: string;
  postId: string;
  postUrl: string;
  action: string;
  /** Why, in Chinese first. */
  reason: string;
  openedAt: string;
  doneAt?: string;
  doneBy?: string;
}

export interface TaskList {
  tasks: TaskView[];
}

/** A refusal the newmedia channel explained, with its code. */
export class NewmediaRequestError extends ServiceRequestError {
  override name = "NewmediaRequestError";
}

const refusal = explainedRefusal(
  "the newmedia channel",
  "HERALD_OPERATOR_TOKEN, or the operatorToken that `herald up` wrote to .herald/secrets/tokens.json",
  (message, status, code) => new NewmediaRequestError(message, status, code),
);

function callNewmedia<T>(
  target: NewmediaTarget,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<T> {
  return callJson<T>(
    {
      service: "the newmedia channel",
      url: target.url,
      token: target.token,
      method,
      path: `/api/v1${path}`,
      ...(body === undefined ? {} : { body }),
    },
    refusal,
  );
}

/** `GET /api/v1/accounts`: every account, its freshness, quotas and open tasks. */
export function listAccounts(target: NewmediaTarget): Promise<AccountList> {
  return callNewmedia<AccountList>(target, "GET", "/accounts");
}

/** `GET /api/v1/tasks`: the operators' open tasks, or every task with `all`. */
export function listTasks(target: NewmediaTarget, all = false): Promise<TaskList> {
  return callNewmedia<TaskList>(target, "GET", `/tasks?state=${all ? "all" : "open"}`);
}

/** An account's outlet id, as the channel's accounts file names accounts. */
const OUTLET_ID = /^(wechat|weibo):[a-z0-9][a-z0-9-]{0,39}$/;

/** Checks `<outletId>` before any request, naming the argument and the rule. */
export function checkOutletId(outletId: string): string {
  if (!OUTLET_ID.test(outletId)) {
    throw new CommandError(
      `outletId: ${JSON.stringify(outletId)} breaks the rule newmedia-outlet-id (${OUTLET_ID.source}): wechat:<account> or weibo:<account>, as \`./herald newmedia accounts\` lists them`,
    );
  }
  return outletId;
}

/**
 * `POST /api/v1/tasks/done`: marks the task of an item on an outlet done; the
 * channel checks the platform first. Its two refusals become sentences that say
 * what to do.
 */
export async function markTaskDone(
  target: NewmediaTarget,
  outletId: string,
  itemId: string,
): Promise<{ task: TaskView }> {
  try {
    return await callNewmedia<{ task: TaskView }>(target, "POST", "/tasks/done", {
      outletId,
      itemId,
    });
  } catch (error) {
    if (!(error instanceof NewmediaRequestError)) throw error;
    if (error.code === "task.not_found") {
      throw new NewmediaRequestError(
        `没有这项待办任务：${outletId} 上的条目 ${itemId} 没有未完成的人工任务 (task.not_found). No open task for item ${itemId} on ${outletId}; \`./herald newmedia tasks\` lists the open ones`,
        error.status,
        error.code,
      );
    }
    if (error.code === "task.post_still_visible") {
      throw new NewmediaRequestError(
        `该微博仍然公开可见：请先在微博上手动删除这条微博，再标记完成 (task.post_still_visible). The post of ${itemId} is still visible on ${outletId}: delete it on Weibo first, then run this again (\`./herald newmedia tasks\` shows its URL)`,
        error.status,
        error.code,
      );
    }
    throw error;
  }
}
