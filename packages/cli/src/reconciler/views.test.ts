import {
  type AuditReportView,
  formatFindings,
  formatReport,
  formatStatus,
  formatTime,
  type ItemStatusView,
  type StatusSummary,
} from "./views";

// Answers in the shapes of GET /api/v1/items/:id/summary and …/status.
const summary: StatusSummary = {
  id: "policy-2016-01",
  version: 3,
  channels: {
    portal: { state: "delivered", version: 3 },
    newmedia: { state: "stale", version: 2 },
    noticeboard: { state: "missing", version: 3 },
    "hotline-kb": { state: "pending", version: 3 },
  },
};

const status: ItemStatusView = {
  itemId: "policy-2016-01",
  version: 3,
  title: "2016年海关政务公开工作要点",
  kind: "policy-document",
  office: "办公厅",
  status: "published",
  publishedAt: "2026-05-04T09:00:00.000Z",
  deadline: { dueAt: "2026-05-25T16:00:00.000Z", rule: "20 working days", provisional: false },
  channels: [
    {
      channel: "portal",
      state: "delivered",
      expectedVersion: 3,
      heldVersion: 3,
      externalRef: "http://127.0.0.1:4100/items/policy-2016-01",
      deliveredAt: "2026-05-04T09:00:01.234Z",
      deliveryMs: 1234,
      onTime: true,
    },
    {
      channel: "newmedia",
      state: "stale",
      expectedVersion: 3,
      heldVersion: 2,
      finding: {
        kind: "stale",
        reason: "holds version 2, not 3",
        firstSeenAt: "2026-05-04T09:01:00.000Z",
        repairAttempts: 2,
      },
    },
    {
      channel: "noticeboard",
      state: "missing",
      expectedVersion: 3,
      heldVersion: 0,
      finding: {
        kind: "missing",
        reason: "not held 30 s after publication",
        firstSeenAt: "2026-05-04T09:01:00.000Z",
        repairAttempts: 1,
      },
    },
    { channel: "hotline-kb", state: "pending", expectedVersion: 3, heldVersion: 0 },
  ],
};

describe("herald status", () => {
  it("prints the item, then each channel's state, version and delivery time or finding", () => {
    expect(formatStatus(summary, status)).toEqual([
      "policy-2016-01: version 3, published",
      "  2016年海关政务公开工作要点",
      "  deadline 2026-05-25T16:00:00Z (20 working days)",
      "",
      "  channel      state      version       delivered in / finding",
      "  portal       delivered  v3            1.2 s, on time",
      "  newmedia     stale      v2, v3 due    holds version 2, not 3; 2 redeliveries asked",
      "  noticeboard  missing    none, v3 due  not held 30 s after publication; 1 redelivery asked",
      "  hotline-kb   pending    none, v3 due  -",
    ]);
  });

  it("shows the summary alone when there is no full status", () => {
    expect(formatStatus(summary)).toEqual([
      "policy-2016-01: version 3",
      "",
      "  channel      state      version  delivered in / finding",
      "  portal       delivered  v3",
      "  newmedia     stale      v2",
      "  noticeboard  missing    v3",
      "  hotline-kb   pending    v3",
    ]);
  });

  it("says when no channel holds or owes the item, and when it was never published", () => {
    expect(formatStatus({ id: "x", version: 0, channels: {} })).toEqual([
      "x: no version published",
      "  no channel holds or owes it yet",
    ]);
  });

  it("marks a late delivery and a removed item", () => {
    const lines = formatStatus(
      {
        id: "p",
        version: 2,
        channels: {
          portal: { state: "late", version: 1 },
          wechat: { state: "removed", version: 0 },
        },
      },
      {
        ...status,
        itemId: "p",
        version: 2,
        title: "",
        status: "retracted",
        deadline: { dueAt: "2026-05-25T16:00:00Z", rule: "7 working days", provisional: true },
        channels: [
          {
            channel: "portal",
            state: "late",
            expectedVersion: 1,
            heldVersion: 1,
            deliveryMs: 90_000,
            onTime: false,
          },
          { channel: "wechat", state: "removed", expectedVersion: 0, heldVersion: 0 },
        ],
      },
    );
    expect(lines).toEqual([
      "p: version 2, retracted",
      "  deadline 2026-05-25T16:00:00Z (7 working days, provisional)",
      "",
      "  channel  state    version  delivered in / finding",
      "  portal   late     v1       1 min 30 s, late",
      "  wechat   removed  -        -",
    ]);
  });
});

// The reconciler's reason for a version the content service accepted and set aside.
const NOT_ANNOUNCED_REASON =
  "v2, accepted 2026-05-04T09:00:00.000Z, is not on herald.items.v1: the content service set it aside: the broker refused the message as larger than the topic's max.message.bytes (MESSAGE_TOO_LARGE; the message is 92187 bytes)";

describe("a version accepted but not announced", () => {
  it("shows in herald status as not_announced, with the version owed and the content service's reason", () => {
    const lines = formatStatus(
      {
        id: "notice-2016-12",
        version: 2,
        channels: { portal: { state: "not_announced", version: 1 } },
      },
      {
        itemId: "notice-2016-12",
        version: 2,
        title: "关于调整通关时间的公告",
        kind: "notice",
        office: "办公厅",
        status: "published",
        channels: [
          {
            channel: "portal",
            state: "not_announced",
            expectedVersion: 2,
            heldVersion: 1,
            finding: {
              kind: "not_announced",
              reason: NOT_ANNOUNCED_REASON,
              firstSeenAt: "2026-05-04T09:00:30.000Z",
              repairAttempts: 0,
              repairable: false,
            },
          },
        ],
      },
    );
    expect(lines).toEqual([
      "notice-2016-12: version 2, published",
      "  关于调整通关时间的公告",
      "",
      "  channel  state          version     delivered in / finding",
      `  portal   not_announced  v1, v2 due  ${NOT_ANNOUNCED_REASON}`,
    ]);
  });

  it("is listed by herald reconcile as not repairable, with the content service's reason", () => {
    const lines = formatReport({
      runs: [
        { channel: "portal", startedAt: "2026-05-04T09:30:00.000Z", durationMs: 40, holdings: 7 },
      ],
      findings: [
        {
          itemId: "notice-2016-12",
          channel: "portal",
          kind: "not_announced",
          reason: NOT_ANNOUNCED_REASON,
          firstSeenAt: "2026-05-04T09:00:30.000Z",
          expectedVersion: 2,
          repairAttempts: 0,
          repairable: false,
        },
      ],
    });
    expect(lines).toEqual([
      "audited 1 channel:",
      "  portal  7 holdings read in 40 ms",
      "",
      "1 finding:",
      "  channel  item            kind           first seen            repairs            reason",
      `  portal   notice-2016-12  not_announced  2026-05-04T09:00:30Z  0, not repairable  ${NOT_ANNOUNCED_REASON}`,
    ]);
  });
});

const report: AuditReportView = {
  runs: [
    { channel: "portal", startedAt: "2026-05-04T09:30:00.000Z", durationMs: 85, holdings: 1234 },
    {
      channel: "outlet-registry",
      startedAt: "2026-05-04T09:30:00.000Z",
      durationMs: 12,
      holdings: 40,
      lag: 3,
    },
    {
      channel: "newmedia",
      startedAt: "2026-05-04T09:30:00.000Z",
      durationMs: 30_000,
      holdings: 0,
      error: "14 UNAVAILABLE: No connection established",
    },
  ],
  findings: [
    {
      itemId: "policy-2016-01",
      channel: "newmedia",
      kind: "stale",
      reason: "holds version 2, not 3",
      firstSeenAt: "2026-05-04T09:01:00.123Z",
      expectedVersion: 3,
      repairAttempts: 2,
      nextRepairAt: "2026-05-04T09:32:00.000Z",
      repairable: true,
    },
    {
      itemId: "penalty-2016-007",
      channel: "portal",
      kind: "late",
      cause: "missing",
      lateWorkingDays: 2,
      reason: "not held 2 working days after its deadline",
      firstSeenAt: "2026-05-04T09:01:00Z",
      expectedVersion: 1,
      repairAttempts: 5,
      repairable: false,
    },
  ],
};

describe("herald reconcile", () => {
  it("prints each channel's audit, then the findings as a table", () => {
    expect(formatReport(report)).toEqual([
      "audited 3 channels:",
      "  portal           1234 holdings read in 85 ms",
      "  outlet-registry  40 holdings read in 12 ms, 3 items not read from the stream yet",
      "  newmedia         not audited after 30.0 s: 14 UNAVAILABLE: No connection established",
      "",
      "2 findings:",
      "  channel   item              kind                            first seen            repairs            reason",
      "  newmedia  policy-2016-01    stale                           2026-05-04T09:01:00Z  2                  holds version 2, not 3",
      "  portal    penalty-2016-007  late (missing, 2 working days)  2026-05-04T09:01:00Z  5, not repairable  not held 2 working days after its deadline",
    ]);
  });

  it("says so when there is nothing to audit and nothing found", () => {
    expect(formatReport({ runs: [], findings: [] })).toEqual([
      "no channel to audit: the reconciler knows none yet",
      "",
      "no findings",
    ]);
    expect(
      formatReport({
        runs: [{ channel: "portal", startedAt: "", durationMs: 2, holdings: 1 }],
        findings: [],
      }),
    ).toEqual(["audited 1 channel:", "  portal  1 holding read in 2 ms", "", "no findings"]);
  });

  it("names a late finding's cause only when it has one", () => {
    const [finding] = report.findings;
    const late = { ...finding!, kind: "late", repairAttempts: 0 };
    expect(formatFindings([late])[2]).toBe(
      "  newmedia  policy-2016-01  late  2026-05-04T09:01:00Z  0        holds version 2, not 3",
    );
  });
});

describe("times", () => {
  it("are shown to the second, in UTC as the reconciler sends them", () => {
    expect(formatTime("2026-05-04T09:01:00.123Z")).toBe("2026-05-04T09:01:00Z");
    expect(formatTime("2026-05-04T09:01:00Z")).toBe("2026-05-04T09:01:00Z");
  });
});
