import {
  ConsumingState as ConsumingStateMessage,
  type ConsumingStatus as ConsumingStatusMessage,
} from "@herald/contracts";

/**
 * Whether a channel consumes the item stream normally, as its inventory said at
 * the last completed audit. A channel that serves from memory stays ready for
 * traffic while its consumer stalls or its applies fail, so this is where that
 * shows: a channel-level finding (`not_consuming`) and a gauge, not an outage.
 */
export const CONSUMING_STATES = ["starting", "normal", "stalled", "failing", "crashed"] as const;
export type ConsumingState = (typeof CONSUMING_STATES)[number];

/** What a channel instance reported with the first page of its listing. */
export interface ReportedConsuming {
  readonly state: ConsumingState;
  /** The channel's own line: why the state is what it is. */
  readonly detail: string;
  /** Messages of the item stream behind, on the partitions the instance owns. */
  readonly lag: number;
  readonly idleSeconds: number;
  readonly retriesPending: number;
}

/** The last reported status, with when audits first read its state (for `starting` that lasts). */
export interface ChannelConsuming extends ReportedConsuming {
  /** The audit that read it. */
  readonly readAt: Date;
  /** The first audit in a row that read this state. */
  readonly since: Date;
}

/** A channel that does not consume normally: the one channel-level finding kind of its own. */
export interface NotConsumingFinding {
  readonly channel: string;
  readonly kind: "not_consuming";
  readonly state: ConsumingState;
  /** The channel's detail, as it reported it. */
  readonly detail: string;
  /** `not_consuming.<state>`, for alert rules and scripts. */
  readonly code: string;
  /** A sentence for operators, in Chinese, with the code beside it. */
  readonly message: string;
  readonly since: Date;
  readonly lag: number;
  readonly idleSeconds: number;
  readonly retriesPending: number;
}

/** The states' names for operators. */
export const CONSUMING_LABELS: Readonly<Record<ConsumingState, string>> = {
  starting: "启动中",
  normal: "正常",
  stalled: "停滞",
  // Platform refusals as well as database errors: the channel could not apply what it read.
  failing: "处理失败",
  crashed: "已崩溃",
};

const FROM_MESSAGE: ReadonlyMap<ConsumingStateMessage, ConsumingState> = new Map([
  [ConsumingStateMessage.CONSUMING_STATE_STARTING, "starting"],
  [ConsumingStateMessage.CONSUMING_STATE_NORMAL, "normal"],
  [ConsumingStateMessage.CONSUMING_STATE_STALLED, "stalled"],
  [ConsumingStateMessage.CONSUMING_STATE_FAILING, "failing"],
  [ConsumingStateMessage.CONSUMING_STATE_CRASHED, "crashed"],
]);

/** The reported status, or undefined when the server could not tell (unset or UNSPECIFIED). */
export function consumingFromMessage(
  message: ConsumingStatusMessage | undefined,
): ReportedConsuming | undefined {
  const state = message ? FROM_MESSAGE.get(message.state) : undefined;
  if (!message || !state) return undefined;
  return {
    state,
    detail: message.detail,
    lag: message.lag,
    idleSeconds: message.idleSeconds,
    retriesPending: message.retriesPending,
  };
}

/**
 * What the channel's entry keeps after an audit that read `reported` at `at`: the
 * status, and since when its state was read (kept while the state stays the same).
 * A channel that did not report keeps nothing: no finding can stand on it.
 */
export function nextConsuming(
  previous: ChannelConsuming | undefined,
  reported: ReportedConsuming | undefined,
  at: number,
): ChannelConsuming | undefined {
  if (!reported) return undefined;
  const since = previous && previous.state === reported.state ? previous.since : new Date(at);
  return { ...reported, readAt: new Date(at), since };
}

/**
 * The finding, when the channel's last audit read a state that is not normal:
 * `stalled`, `failing` and `crashed` at once; `starting` only once audits have
 * read it for longer than `startingGraceMs` (a channel loading its holdings is
 * starting for a while by design).
 */
export function notConsumingOf(
  channel: string,
  consuming: ChannelConsuming | undefined,
  now: number,
  startingGraceMs: number,
): NotConsumingFinding | undefined {
  if (!consuming || consuming.state === "normal") return undefined;
  if (consuming.state === "starting" && now - consuming.since.getTime() <= startingGraceMs) {
    return undefined;
  }
  const code = `not_consuming.${consuming.state}`;
  const label = CONSUMING_LABELS[consuming.state];
  const minutes = Math.max(0, Math.floor((now - consuming.since.getTime()) / 60_000));
  const facts = `积压 ${consuming.lag} 条消息，${consuming.idleSeconds} 秒无进展，待重试 ${consuming.retriesPending} 条`;
  return {
    channel,
    kind: "not_consuming",
    state: consuming.state,
    detail: consuming.detail,
    code,
    message: `未正常消费（${label}，已持续约 ${minutes} 分钟）：${consuming.detail}；${facts}。[${code}]`,
    since: consuming.since,
    lag: consuming.lag,
    idleSeconds: consuming.idleSeconds,
    retriesPending: consuming.retriesPending,
  };
}

/** Escapes a Prometheus label value. */
function label(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * `herald_reconciler_channel_consuming{channel,state}`: 1 for the state each
 * channel's last audit read, 0 for the others; no series for a channel that did
 * not report (it cannot be judged).
 */
export function consumingMetrics(
  channels: readonly { readonly name: string; readonly consuming: ChannelConsuming | undefined }[],
): string {
  const lines = [
    "# HELP herald_reconciler_channel_consuming How each channel consumed the item stream at its last audit, by state (1 = current).",
    "# TYPE herald_reconciler_channel_consuming gauge",
  ];
  for (const { name, consuming } of channels) {
    if (!consuming) continue;
    for (const state of CONSUMING_STATES) {
      lines.push(
        `herald_reconciler_channel_consuming{channel="${label(name)}",state="${state}"} ${state === consuming.state ? 1 : 0}`,
      );
    }
  }
  return lines.join("\n");
}
