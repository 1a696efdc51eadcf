import { setTimeout as sleep } from "node:timers/promises";
import { ItemState, ItemStatus, TakedownKind, type DeliveryReceipt } from "@herald/contracts";
import { type Logger, heraldTracer } from "@herald/runtime";
import { type Context, SpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import {
  type ApplyContext,
  type ChannelAdapter,
  AwaitingOperatorError,
  PermanentChannelError,
  RetryLaterError,
  errorCode,
  errorMessage,
} from "./adapter";
import { type BackoffOptions, backoffDelay } from "./backoff";
import { type Holding, type HoldingStore, absentHolding } from "./holdings";
import { KeyLock } from "./key-lock";
import { confirmStillHeld, holdsExactly } from "./confirm-held";
import { failureReceipt, holdingReceipt } from "./receipts";
import type { ChannelMetrics } from "./metrics";
import { expectedPresence } from "./policy";

/** Why an apply runs, and whether it may re-apply the version the channel holds. */
export interface ApplyRequest {
  readonly source: ApplyContext["source"];
  /** Re-apply even when the channel holds this version (a redelivery after a loss). */
  readonly force?: boolean;
  /**
   * With `force`: first check that the channel still has the version it holds (the
   * holding re-read from the database by `_id`, then the adapter's `verify`), and if
   * it does, send its receipt again instead of applying it a second time.
   */
  readonly confirmHeld?: boolean;
  /** 1 for the first attempt at this version. */
  readonly attempt?: number;
  /** The trace the apply continues (the message's, or the request's). */
  readonly parent?: Context;
  /** Called between inline retries, so a long retry keeps the consumer's group membership. */
  readonly heartbeat?: () => Promise<void>;
}

/** What came of one apply. Every outcome but `stale` carries the receipt to send. */
export type ApplyOutcome =
  | { readonly kind: "delivered" | "removed" | "declined"; readonly receipt: DeliveryReceipt }
  | { readonly kind: "duplicate"; readonly receipt: DeliveryReceipt | undefined }
  | { readonly kind: "stale" }
  | {
      readonly kind: "failed";
      readonly receipt: DeliveryReceipt;
      readonly attempts: number;
      /** The platform said when to try again (RetryLaterError), in ms from now. */
      readonly retryAfterMs?: number;
    }
  /** The channel could not check whether it still has the version: nothing applied, no retry here. */
  | { readonly kind: "unverified"; readonly receipt: DeliveryReceipt }
  /** The change waits on an operator's task: a FAILED receipt, no retry until a redelivery. */
  | { readonly kind: "awaiting"; readonly receipt: DeliveryReceipt }
  | { readonly kind: "rejected"; readonly receipt: DeliveryReceipt; readonly reason: string };

export interface ApplierOptions {
  adapter: ChannelAdapter;
  holdings: HoldingStore;
  metrics: ChannelMetrics;
  logger: Logger;
  /** Attempts made in place before the item is handed to the deferred retries (default 3). */
  inlineAttempts?: number;
  /** Items applied (or queued behind one of their own) at once; others wait (default no limit). */
  maxInFlight?: number;
  inlineBackoff?: BackoffOptions;
}

/**
 * Applies item states to one channel: only versions newer than the holding (or
 * the held one again, when forced), one at a time per item, with the holding
 * written after the channel took the change so that a replay after a crash finds
 * it and applies nothing twice.
 */
export class Applier {
  private readonly lock: KeyLock;
  private readonly channel: string;
  private readonly inlineAttempts: number;
  private readonly inlineBackoff: BackoffOptions;

  constructor(private readonly options: ApplierOptions) {
    this.channel = options.adapter.policy.name;
    this.lock = new KeyLock(options.maxInFlight);
    this.inlineAttempts = options.inlineAttempts ?? 3;
    this.inlineBackoff = options.inlineBackoff ?? { initialMs: 100, maxMs: 1000 };
  }

  /** Items being applied or queued behind one of their own, and applies waiting for room. */
  inFlight(): { items: number; waiting: number; limit: number } {
    return { items: this.lock.size, waiting: this.lock.waiting, limit: this.lock.limit };
  }

  process(state: ItemState, request: ApplyRequest): Promise<ApplyOutcome> {
    return this.lock.run(state.id, () => this.traced(state, request));
  }

  /** Removes an item that should not be on the channel at all (never disclosed). */
  processUnknown(itemId: string, request: ApplyRequest): Promise<ApplyOutcome> {
    return this.lock.run(itemId, async () => {
      const held = await this.options.holdings.get(itemId);
      if (!held || held.status !== "held") return { kind: "stale" };
      // The content service no longer discloses it: take it off as a removal.
      const tombstone = ItemState.fromPartial({
        id: itemId,
        version: held.version,
        status: ItemStatus.ITEM_STATUS_RETRACTED,
        takedown: {
          kind: TakedownKind.TAKEDOWN_KIND_REMOVED,
          reason: "not disclosed by the content service",
        },
      });
      return this.traced(tombstone, { ...request, force: true });
    });
  }

  private async traced(state: ItemState, request: ApplyRequest): Promise<ApplyOutcome> {
    const span = heraldTracer().startSpan(
      `apply ${this.channel}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          "herald.channel": this.channel,
          "herald.item.id": state.id,
          "herald.item.version": state.version,
          "herald.apply.source": request.source,
        },
      },
      request.parent ?? context.active(),
    );
    try {
      const outcome = await context.with(trace.setSpan(context.active(), span), () =>
        this.applyOnce(state, request),
      );
      span.setAttribute("herald.apply.outcome", outcome.kind);
      if (
        outcome.kind === "failed" ||
        outcome.kind === "rejected" ||
        outcome.kind === "unverified"
      ) {
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: outcome.receipt.error?.message ?? "",
        });
      }
      return outcome;
    } finally {
      span.end();
    }
  }

  private async applyOnce(state: ItemState, request: ApplyRequest): Promise<ApplyOutcome> {
    const { holdings, metrics } = this.options;
    // A redelivery is asked for because someone saw the item missing: the cache, which
    // cannot see a loss behind the runtime's back, is not enough to answer it.
    const held = request.confirmHeld
      ? await holdings.reread(state.id)
      : await holdings.get(state.id);
    if (held && request.confirmHeld && holdsExactly(held, state)) {
      const confirmed = await confirmStillHeld(
        { ...this.options, channel: this.channel },
        held,
        state,
      );
      if (confirmed) return confirmed;
    }
    if (held && !request.force) {
      if (state.version < held.version) {
        metrics.count("stale");
        return { kind: "stale" };
      }
      if (state.version === held.version && held.status !== "absent") {
        // A replay after a crash may have lost the receipt: send it again (receipts are idempotent).
        metrics.count("duplicate");
        return { kind: "duplicate", receipt: holdingReceipt(this.channel, held, state.version, 1) };
      }
      if (held.failure?.permanent && held.failure.version === state.version) {
        metrics.count("duplicate");
        return { kind: "duplicate", receipt: undefined };
      }
    }
    if (held && request.force && state.version < held.version) {
      metrics.count("stale");
      return { kind: "stale" };
    }
    const previous = held ?? absentHolding(state.id);
    let attempt = request.attempt ?? 1;
    for (let inline = 1; ; inline += 1, attempt += 1) {
      try {
        const next = await this.change(state, previous, {
          attempt,
          previous: held,
          source: request.source,
        });
        await holdings.save(next, next.status === "declined" ? undefined : state);
        metrics.count(next.status === "held" ? "applied" : next.status);
        return {
          kind:
            next.status === "held"
              ? "delivered"
              : next.status === "removed"
                ? "removed"
                : "declined",
          receipt: holdingReceipt(this.channel, next, state.version, attempt),
        };
      } catch (error) {
        if (error instanceof PermanentChannelError) {
          metrics.count("rejected");
          await this.recordFailure(previous, state, error, attempt, true);
          return {
            kind: "rejected",
            reason: `${error.code}: ${error.message}`,
            receipt: failureReceipt(this.channel, state, error, attempt, true),
          };
        }
        if (error instanceof AwaitingOperatorError) {
          metrics.count("awaiting_operator");
          await this.recordFailure(previous, state, error, attempt, false);
          return {
            kind: "awaiting",
            receipt: failureReceipt(this.channel, state, error, attempt, false),
          };
        }
        const later = error instanceof RetryLaterError ? error : undefined;
        if (later || inline >= this.inlineAttempts) {
          metrics.failed(`${errorCode(error)}: ${errorMessage(error)}`);
          this.options.logger.warn(
            { err: error, itemId: state.id, version: state.version, attempt },
            "apply failed; deferred to a later retry",
          );
          await this.recordFailure(previous, state, error, attempt, false).catch(
            (writeError: unknown) =>
              this.options.logger.warn({ err: writeError }, "could not record the failure"),
          );
          return {
            kind: "failed",
            attempts: attempt,
            receipt: failureReceipt(this.channel, state, error, attempt, false),
            ...(later ? { retryAfterMs: Math.max(0, later.retryAfterMs) } : {}),
          };
        }
        metrics.count("retried");
        await sleep(backoffDelay(inline, this.inlineBackoff));
        await request.heartbeat?.();
      }
    }
  }

  /** Puts the change on the channel and returns the holding that now describes it. */
  private async change(
    state: ItemState,
    previous: Holding,
    ctx: ApplyContext,
  ): Promise<Holding & { status: "held" | "removed" | "declined" }> {
    const { adapter } = this.options;
    const presence = expectedPresence(adapter.policy, state);
    const base = {
      itemId: state.id,
      version: state.version,
      itemStatus: state.status,
      appliedAt: new Date(),
      applies: previous.applies + 1,
    };
    if (presence.kind === "hold") {
      const result = await adapter.apply(state, ctx);
      return {
        ...base,
        status: "held",
        checksum: state.checksum,
        externalRef: result?.externalRef ?? previous.externalRef,
      };
    }
    if (presence.kind === "remove") {
      await adapter.remove(state, ctx);
      return { ...base, status: "removed", checksum: "", externalRef: "" };
    }
    // A declined item the channel showed before (its targeting changed) comes off it.
    if (previous.status === "held") await adapter.remove(state, ctx);
    return {
      ...base,
      applies: previous.status === "held" ? base.applies : previous.applies,
      status: "declined",
      checksum: "",
      externalRef: "",
      decline: presence.decline,
    };
  }

  private async recordFailure(
    previous: Holding,
    state: ItemState,
    error: unknown,
    attempts: number,
    permanent: boolean,
  ): Promise<void> {
    await this.options.holdings.save({
      ...previous,
      failure: {
        version: state.version,
        code: errorCode(error),
        message: errorMessage(error).slice(0, 1000),
        permanent,
        attempts,
        at: new Date(),
      },
    });
  }
}
