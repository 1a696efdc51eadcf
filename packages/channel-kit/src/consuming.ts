import type { CheckResult } from "@herald/runtime";

/**
 * Whether a channel consumes normally: separate from whether it is ready for
 * traffic. A channel that serves from memory (the portal) keeps serving while its
 * consumer lags, stalls or meets database errors; those are this state, a metric
 * and a field of the health detail, not an outage.
 */
export type ConsumingState = "starting" | "normal" | "stalled" | "failing" | "crashed";

export const CONSUMING_STATES: readonly ConsumingState[] = [
  "starting",
  "normal",
  "stalled",
  "failing",
  "crashed",
];

export interface ConsumingStatus {
  readonly state: ConsumingState;
  /** One line for operators: why the state is what it is. */
  readonly detail: string;
  /** Messages of the item stream behind, on the partitions this instance owns. */
  readonly lag: number;
  /** Seconds since the last progress (an outcome, a committed chunk, or caught up). */
  readonly idleSeconds: number;
  readonly retriesPending: number;
}

export interface ConsumingInput {
  /** The item stream's consumer: `starting`/`loading` until the holdings are loaded. */
  readonly consumer: "starting" | "loading" | "running" | "stopping" | "stopped" | "crashed";
  readonly consumerError: string | undefined;
  readonly routerCrashed: boolean;
  readonly lag: number;
  readonly idleMs: number;
  /** No progress for this long with lag is a stall (CHANNEL_STALL_MS). */
  readonly stallMs: number;
  /** The last apply that failed after its retries in place (a platform or database error), if any. */
  readonly lastFailure: { readonly at: number; readonly message: string } | undefined;
  /** When something was last applied, removed or declined. */
  readonly lastSuccessAt: number | undefined;
  readonly retriesPending: number;
  readonly now: number;
}

/**
 * The consuming state: `crashed` (the consumer or the redelivery router stopped for
 * good), `stalled` (lag and no progress for `stallMs`), `failing` (the last apply
 * within `stallMs` failed and none succeeded since: the platform or the database
 * refuses), `starting` (holdings not loaded yet), otherwise `normal`.
 */
export function consumingStatus(input: ConsumingInput): ConsumingStatus {
  const base = {
    lag: input.lag,
    idleSeconds: Math.round(input.idleMs / 1000),
    retriesPending: input.retriesPending,
  };
  const of = (state: ConsumingState, detail: string): ConsumingStatus => ({
    state,
    detail,
    ...base,
  });
  if (input.consumer === "crashed")
    return of("crashed", `consumer crashed: ${input.consumerError ?? "unknown error"}`);
  if (input.routerCrashed) return of("crashed", "redelivery router crashed");
  if (input.consumer === "starting" || input.consumer === "loading")
    return of("starting", `consumer ${input.consumer}`);
  if (input.consumer !== "running") return of("starting", `consumer ${input.consumer}`);
  if (input.lag > 0 && input.idleMs > input.stallMs) {
    return of("stalled", `no progress for ${base.idleSeconds} s with ${input.lag} messages behind`);
  }
  const failure = input.lastFailure;
  if (
    failure &&
    input.now - failure.at <= input.stallMs &&
    (input.lastSuccessAt === undefined || input.lastSuccessAt < failure.at)
  ) {
    return of("failing", `applies failing: ${failure.message}`);
  }
  return of("normal", `lag ${input.lag}, retries pending ${input.retriesPending}`);
}

/** The Prometheus lines of the consuming state: one gauge per state (1 for the current one) and the idle time. */
export function consumingMetrics(label: string, status: ConsumingStatus): string {
  const lines = [
    "# HELP herald_channel_consuming whether the channel consumes normally, by state (1 = current)",
    "# TYPE herald_channel_consuming gauge",
    ...CONSUMING_STATES.map(
      (state) =>
        `herald_channel_consuming{${label},state="${state}"} ${state === status.state ? 1 : 0}`,
    ),
    "# HELP herald_channel_progress_idle_seconds seconds since the channel last made progress",
    "# TYPE herald_channel_progress_idle_seconds gauge",
    `herald_channel_progress_idle_seconds{${label}} ${status.idleSeconds}`,
  ];
  return `${lines.join("\n")}\n`;
}

/** Readiness for traffic, with how the channel consumes beside it (a field of /readyz's detail). */
export interface ChannelReadiness extends CheckResult {
  readonly ok: boolean;
  readonly detail: string;
  readonly consuming: ConsumingStatus;
}

/** Ready once the holdings were loaded, whatever the consuming state, which rides along. */
export function readiness(holdingsLoaded: boolean, status: ConsumingStatus): ChannelReadiness {
  return holdingsLoaded
    ? {
        ok: true,
        detail: `holdings loaded; consuming ${status.state}: ${status.detail}`,
        consuming: status,
      }
    : { ok: false, detail: `holdings not loaded yet (${status.detail})`, consuming: status };
}
