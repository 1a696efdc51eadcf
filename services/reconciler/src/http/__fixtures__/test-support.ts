/**
 * An in-memory reconciler behind our own ReconcilerQueries/OperatorActions
 * interfaces, over two items on three channels. (Named test-support.ts so the
 * build leaves it out, like every test fixture of the package.)
 */
import {
  ActionError,
  type AuditReport,
  type ChannelDelivery,
  type ChannelSummary,
  type Compliance,
  type ContentReadiness,
  DELIVERY_STATES,
  type DeliveryState,
  type Finding,
  type ItemStatus,
  type MatrixPage,
  type MatrixQuery,
  type OperatorActions,
  type Problem,
  ProblemNotFoundError,
  type ProblemQuery,
  type ReconcilerQueries,
  type TimelineEvent,
} from "../../model";
import { notConsumingOf } from "../../consuming";
import { freshnessOf } from "../../freshness";

const at = (iso: string) => new Date(iso);
const counts = (partial: Partial<Record<DeliveryState, number>>) =>
  Object.fromEntries(DELIVERY_STATES.map((s) => [s, partial[s] ?? 0])) as Record<
    DeliveryState,
    number
  >;

function finding(
  partial: Partial<Finding> & Pick<Finding, "itemId" | "channel" | "kind">,
): Finding {
  return {
    reason: "not in the channel's holdings",
    firstSeenAt: at("2016-08-16T02:05:00Z"),
    expectedVersion: 2,
    repairAttempts: 5,
    repairable: true,
    ...partial,
  };
}

const cell = (
  channel: string,
  state: DeliveryState,
  expectedVersion: number,
  heldVersion: number,
  extra: Partial<ChannelDelivery> = {},
): ChannelDelivery => ({ channel, state, expectedVersion, heldVersion, ...extra });

const delivered = (iso: string, deliveryMs: number, onTime?: boolean) => ({
  deliveredAt: at(iso),
  deliveryMs,
  ...(onTime !== undefined ? { onTime } : {}),
});

const channel = (
  name: string,
  states: Partial<Record<DeliveryState, number>>,
  extra: Partial<ChannelSummary>,
): ChannelSummary => ({
  channel: name,
  announced: true,
  joinedAt: at("2016-08-01T00:00:00Z"),
  states: counts(states),
  openProblems: 0,
  deadlineDeliveries: 0,
  onTime: 0,
  ...extra,
});

const audit = (name: string, durationMs: number, holdings: number, error?: string) => ({
  channel: name,
  startedAt: at("2016-08-16T05:59:00Z"),
  durationMs,
  holdings,
  ...(error ? { error } : {}),
});

/** A channel whose last audit read it stalled: up for traffic, not consuming. */
function stalledNoticeboard(): Pick<ChannelSummary, "consuming" | "notConsuming"> {
  const consuming = {
    state: "stalled" as const,
    detail: "no progress for 120 s with 4 messages behind",
    lag: 4,
    idleSeconds: 120,
    retriesPending: 0,
    readAt: at("2016-08-16T05:59:00Z"),
    since: at("2016-08-16T05:50:00Z"),
  };
  const finding = notConsumingOf("noticeboard", consuming, Date.parse("2016-08-16T06:00:00Z"), 0);
  return { consuming, ...(finding ? { notConsuming: finding } : {}) };
}

/** Two items on three channels, two problems, compliance by channel, kind and office. */
export function fixtureData() {
  const failed = finding({
    itemId: "kb-notice-2016-41",
    channel: "newmedia",
    kind: "failed",
    reason: "WeChat refused the article: content too long",
    code: "45002",
  });
  const portalRef = "https://www.example.gov.cn/items/kb-notice-2016-41";
  const items: ItemStatus[] = [
    {
      itemId: "kb-notice-2016-41",
      version: 2,
      title: "关于加强知识库管理的通知",
      kind: "policy-document",
      office: "海关总署办公厅",
      status: "published",
      publishedAt: at("2016-08-16T02:00:00Z"),
      deadline: { dueAt: at("2016-09-06T02:00:00Z"), rule: "20 个工作日", provisional: false },
      channels: [
        cell("portal", "delivered", 2, 2, {
          externalRef: portalRef,
          ...delivered("2016-08-16T02:00:01.200Z", 1200, true),
        }),
        cell("newmedia", "failed", 2, 1, { finding: failed }),
        cell("noticeboard", "pending", 2, 0),
      ],
    },
    {
      itemId: "penalty-2016-0186",
      version: 1,
      title: "皇岗海关行政处罚决定书",
      kind: "administrative-penalty",
      office: "皇岗海关",
      status: "published",
      publishedAt: at("2016-08-10T01:00:00Z"),
      channels: [
        cell("portal", "delivered", 1, 1, delivered("2016-08-10T01:03:00Z", 180_000, false)),
        cell("newmedia", "declined", 0, 0),
        cell("noticeboard", "delivered", 1, 1, delivered("2016-08-10T01:00:00.850Z", 850)),
      ],
    },
  ];
  const stale = finding({
    itemId: "penalty-2016-0186",
    channel: "noticeboard",
    kind: "stale",
    expectedVersion: 1,
  });
  const problems: Problem[] = [
    {
      id: "newmedia/kb-notice-2016-41",
      itemId: "kb-notice-2016-41",
      channel: "newmedia",
      state: "open",
      finding: failed,
      openedAt: at("2016-08-16T03:00:00Z"),
      actions: [{ action: "opened", by: "reconciler", at: at("2016-08-16T03:00:00Z") }],
    },
    {
      id: "noticeboard/penalty-2016-0186",
      itemId: "penalty-2016-0186",
      channel: "noticeboard",
      state: "acknowledged",
      finding: stale,
      openedAt: at("2016-08-12T03:00:00Z"),
      actions: [
        { action: "opened", by: "reconciler", at: at("2016-08-12T03:00:00Z") },
        {
          action: "acknowledged",
          by: "李华",
          note: "显示屏离线，已联系大厅",
          at: at("2016-08-12T04:00:00Z"),
        },
      ],
    },
  ];
  const channels: ChannelSummary[] = [
    channel(
      "portal",
      { delivered: 2 },
      {
        inventoryAddress: "127.0.0.1:50061",
        lastAudit: audit("portal", 1234, 2),
        deadlineDeliveries: 2,
        onTime: 1,
      },
    ),
    channel(
      "newmedia",
      { failed: 1, declined: 1 },
      {
        inventoryAddress: "127.0.0.1:50062",
        lastAudit: audit("newmedia", 30_000, 0, "UNAVAILABLE: connection refused"),
        openProblems: 1,
        // Judged by the reconciler's own rule, so the page shows its real sentence.
        freshness: freshnessOf(
          { name: "newmedia", freshness: { warningDays: 10, findingDays: 14 } },
          { at: Date.parse("2016-09-20T02:00:00Z"), ref: "https://mp.weixin.qq.com/s/example" },
          Date.parse("2016-08-01T00:00:00Z"),
          Date.parse("2016-10-01T03:00:00Z"),
        )!,
      },
    ),
    channel(
      "noticeboard",
      { delivered: 1, pending: 1 },
      {
        announced: false,
        ...stalledNoticeboard(),
        openProblems: 1,
        deadlineDeliveries: 1,
        onTime: 1,
      },
    ),
  ];
  const compliance: Compliance = {
    byChannel: [
      { key: "portal", total: 2, onTime: 1, late: 1, overdue: 0 },
      { key: "noticeboard", total: 1, onTime: 1, late: 0, overdue: 0 },
      { key: "newmedia", total: 0, onTime: 0, late: 0, overdue: 0 },
    ],
    byKind: [
      { key: "policy-document", total: 3, onTime: 2, late: 0, overdue: 1 },
      { key: "administrative-penalty", total: 1, onTime: 0, late: 1, overdue: 0 },
    ],
    byOffice: [{ key: "海关总署办公厅", total: 4, onTime: 3, late: 1, overdue: 0 }],
  };
  const timeline: TimelineEvent[] = [
    {
      at: at("2016-08-16T02:00:01.200Z"),
      type: "receipt",
      channel: "portal",
      version: 2,
      detail: "DELIVERED v2 at https://www.example.gov.cn/items/kb-notice-2016-41",
    },
    { at: at("2016-08-16T02:00:00Z"), type: "published", version: 2, detail: "published v2" },
    {
      at: at("2016-08-16T03:00:00Z"),
      type: "problem",
      channel: "newmedia",
      detail: "opened: failed after 5 redeliveries",
    },
  ];
  return { items, problems, channels, compliance, timeline };
}

/** One recorded operator action. */
export interface ActionCall {
  readonly action: "acknowledge" | "resolve" | "forceRedelivery" | "runAudit";
  readonly id?: string;
  readonly by?: string;
  readonly note?: string | undefined;
  readonly channels?: readonly string[] | undefined;
}

/** An in-memory reconciler that records every action it is asked for. */
export class FakeReconciler implements ReconcilerQueries, OperatorActions {
  readonly data = fixtureData();
  readonly calls: ActionCall[] = [];
  readyState = { ok: true, detail: "caught up" };

  itemStatus(itemId: string): ItemStatus | undefined {
    return this.data.items.find((i) => i.itemId === itemId);
  }
  matrix(query: MatrixQuery): MatrixPage {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 50;
    const rows = this.data.items.filter(
      (i) =>
        (!query.search || i.itemId.includes(query.search) || i.title.includes(query.search)) &&
        (!query.state ||
          i.channels.some(
            (c) => c.state === query.state && (!query.channel || c.channel === query.channel),
          )) &&
        (!query.channel || i.channels.some((c) => c.channel === query.channel)),
    );
    return {
      channels: this.data.channels.map((c) => c.channel),
      rows: rows.slice((page - 1) * pageSize, page * pageSize),
      page,
      pageSize,
      total: rows.length,
    };
  }
  findings(options?: { channel?: string; includeDeclined?: boolean }): Finding[] {
    return this.data.problems
      .map((p) => p.finding)
      .filter((f) => !options?.channel || f.channel === options.channel)
      .filter((f) => options?.includeDeclined || f.kind !== "declined");
  }
  problems(query?: ProblemQuery): Problem[] {
    const states = query?.states ?? ["open", "acknowledged"];
    return this.data.problems.filter(
      (p) => states.includes(p.state) && (!query?.channel || p.channel === query.channel),
    );
  }
  problem(id: string): Problem | undefined {
    return this.data.problems.find((p) => p.id === id);
  }
  channels(): ChannelSummary[] {
    return this.data.channels;
  }
  compliance(): Compliance {
    return this.data.compliance;
  }
  content(): ContentReadiness {
    return {
      address: "127.0.0.1:50051",
      ok: true,
      checkedAt: new Date("2016-08-16T05:59:50Z"),
      pending: 2,
      notAnnounced: 1,
      readiness: {
        ready: true,
        detail: "relay leading; 1 item(s) set aside since 2016-08-16T05:50:00.000Z",
      },
    };
  }

  timeline(itemId: string): Promise<TimelineEvent[]> {
    return Promise.resolve(itemId === "kb-notice-2016-41" ? this.data.timeline : []);
  }
  ready() {
    return this.readyState;
  }

  private change(id: string, state: Problem["state"] | undefined, call: ActionCall): Problem {
    this.calls.push(call);
    const index = this.data.problems.findIndex((p) => p.id === id);
    const problem = this.data.problems[index];
    if (!problem) throw new ProblemNotFoundError(id);
    if (problem.state === "resolved") throw new ActionError("state", `problem ${id} is resolved`);
    const next = { ...problem, ...(state ? { state } : {}) };
    this.data.problems[index] = next;
    return next;
  }
  acknowledge(id: string, by: string, note?: string): Promise<Problem> {
    return Promise.resolve(
      this.change(id, "acknowledged", { action: "acknowledge", id, by, note }),
    );
  }
  resolve(id: string, by: string, note: string): Promise<Problem> {
    if (!note) return Promise.reject(new ActionError("note", "a resolution needs a note"));
    return Promise.resolve(this.change(id, "resolved", { action: "resolve", id, by, note }));
  }
  forceRedelivery(id: string, by: string, note?: string): Promise<Problem> {
    return Promise.resolve(this.change(id, undefined, { action: "forceRedelivery", id, by, note }));
  }
  runAudit(channels?: readonly string[]): Promise<AuditReport> {
    this.calls.push({ action: "runAudit", channels });
    const unknown = channels?.find((c) => !this.data.channels.some((k) => k.channel === c));
    if (unknown) return Promise.reject(new ActionError("channels", `no channel ${unknown}`));
    const notConsuming = this.data.channels.flatMap((c) =>
      c.notConsuming ? [c.notConsuming] : [],
    );
    return Promise.resolve({
      runs: this.data.channels.flatMap((c) => (c.lastAudit ? [c.lastAudit] : [])),
      findings: this.findings(),
      ...(notConsuming.length > 0 ? { notConsuming } : {}),
    });
  }
}
