import type { ItemState } from "@herald/contracts";
import type { Holding } from "./holdings";
import type { ChannelPolicy } from "./policy";

/** What the runtime tells an adapter about the apply in hand. */
export interface ApplyContext {
  /** 1 for the first attempt at this version, counting retries and redeliveries. */
  readonly attempt: number;
  /** What the channel held before, if anything. */
  readonly previous: Holding | undefined;
  /** Why this apply runs: the item stream, a retry, or a redelivery request. */
  readonly source: "stream" | "retry" | "redelivery";
}

export interface ApplyResult {
  /** Where the item now lives on the channel: a URL, a platform post id. */
  readonly externalRef?: string;
}

/**
 * The one interface a channel implements. The runtime calls `apply` for a state
 * the channel should show and `remove` for one it should no longer show, one at a
 * time per item and only for versions newer than the channel holds.
 *
 * Throw {@link PermanentChannelError} for a state the channel can never take as
 * it is (it goes to the channel's DLQ and a REJECTED receipt); any other error is
 * treated as transient and retried with backoff.
 */
export interface ChannelAdapter {
  readonly policy: ChannelPolicy;
  /**
   * The channel keeps its content in the runtime's holdings: each applied state is
   * stored with its holding in one write and handed back to `restore`.
   */
  readonly keepsContent?: boolean;
  apply(state: ItemState, ctx: ApplyContext): Promise<ApplyResult | void>;
  remove(state: ItemState, ctx: ApplyContext): Promise<void>;
  /**
   * Called at start-up for every holding in the channel's database, and whenever
   * another instance of the channel changed one, with the stored state when the
   * channel keeps its content: how an instance rebuilds and refreshes what it
   * serves from memory.
   */
  restore?(holding: Holding, state: ItemState | undefined): void;
  /**
   * Called once after the start-up `restore` of every holding, just before the
   * channel reports ready: where a channel finishes, or starts in the background,
   * work it does once for the whole collection rather than per holding.
   */
  restored?(): void;
  /**
   * Whether the platform still has what `holding` says the channel holds (a post not
   * deleted by hand, a screen still showing it). Called before a redelivery of the
   * held version: "present" sends the receipt again and applies nothing, "absent"
   * applies the version again, and an error applies nothing and sends a FAILED
   * receipt. Without it the holding in the database is the answer. Channels that
   * publish to a platform where a second apply is a second post should implement it.
   */
  verify?(holding: Holding): Promise<"present" | "absent">;
}

/** A state the channel can never apply as it is: no retry, it goes to the DLQ. */
export class PermanentChannelError extends Error {
  override readonly name = "PermanentChannelError";
  constructor(
    /** A stable, machine-readable code, e.g. "portal.body_too_large". */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The change waits on a person: the platform offers no API for it (a Weibo post
 * can only be deleted by hand), so the adapter has opened an operator task. The
 * runtime sends a FAILED receipt with this code (which starts with
 * `operator_task.`) and schedules no retry; the reconciler shows the item as
 * pending on that task. When the task is done, a redelivery of the item runs the
 * adapter again, and this time it completes.
 */
export class AwaitingOperatorError extends Error {
  override readonly name = "AwaitingOperatorError";
  readonly code: `operator_task.${string}`;
  constructor(task: string, message: string) {
    super(message);
    this.code = `operator_task.${task}`;
  }
}

/**
 * A transient failure whose end the platform names: a daily quota that resets at
 * midnight, a posting window with its next slot. The runtime sends the FAILED
 * receipt and retries once that time has come, without retrying in place and
 * without using up the item's deferred attempts (waiting is not failing again),
 * so an item queued behind a limit is never left to the reconciler for it.
 */
export class RetryLaterError extends Error {
  override readonly name: string = "RetryLaterError";
  constructor(
    /** A stable, machine-readable code, e.g. "weibo.posting_window_full". */
    readonly code: string,
    message: string,
    /** How long from now the next attempt may succeed. */
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** The machine-readable code of any error an adapter threw. */
export function errorCode(error: unknown): string {
  if (error instanceof PermanentChannelError || error instanceof AwaitingOperatorError)
    return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.length > 0 ? code : "channel.error";
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
