import type { ApplyContext, ApplyResult, Holding } from "@herald/channel-kit";
import type { ItemState } from "@herald/contracts";
import type { PublishJobFinish } from "./wechat-events";

/** Calls made today against one of the platform's daily quotas. */
export interface QuotaUse {
  readonly used: number;
  readonly limit: number;
}

/**
 * What the channel asks of one account's pipeline: the channel runtime's apply,
 * remove and verify, plus what operators see (quotas, the last post).
 */
export interface Publisher {
  apply(state: ItemState, ctx: ApplyContext): Promise<ApplyResult>;
  remove(state: ItemState, ctx: ApplyContext): Promise<void>;
  verify(holding: Holding): Promise<"present" | "absent">;
  /** Calls today per API, as the pipeline counted them. */
  quota(): Record<string, QuotaUse>;
  /** The last post the platform confirmed. */
  lastPost(): { at: Date; ref: string } | undefined;
  /** A publish job the platform says has finished (WeChat's PUBLISHJOBFINISH push). */
  onPublishEvent?(event: PublishJobFinish): void;
  close(): Promise<void>;
}

/** A deletion the platform offers no API for, handed to an operator. */
export interface OperatorTask {
  /** `<account>/<itemId>/<postId>`. */
  readonly id: string;
  readonly outletId: string;
  readonly itemId: string;
  readonly postId: string;
  readonly postUrl: string;
  readonly action: "delete_post";
  /** What to do, in Chinese. */
  readonly reason: string;
  readonly openedAt: Date;
  readonly doneAt?: Date;
  readonly doneBy?: string;
}

/** A pipeline whose takedowns may wait on operators (Weibo without the commercial delete). */
export interface TaskPublisher extends Publisher {
  tasks(): Promise<OperatorTask[]>;
  /** An operator says the post is gone; refused (with why) when the platform still shows it. */
  completeTask(itemId: string, by: string): Promise<OperatorTask>;
}

export function hasTasks(publisher: Publisher): publisher is TaskPublisher {
  return "tasks" in publisher && "completeTask" in publisher;
}
