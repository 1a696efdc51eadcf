import { itemState } from "@herald/channel-kit/testing";
import { Audience, ItemKind, ItemStatus, TakedownKind } from "@herald/contracts";
import { type ChannelView, type EvaluateContext, evaluate, unreadItems } from "./evaluate";
import { type Cell, newCell } from "./evidence";
import { type ExpectedItem, expectedItemOf } from "./expected";

const T0 = Date.parse("2026-11-02T09:00:00+08:00");
const MINUTE = 60_000;

function item(overrides: Partial<ExpectedItem> = {}): ExpectedItem {
  return {
    id: "a",
    version: 2,
    checksum: "c2",
    kind: ItemKind.ITEM_KIND_NEWS,
    status: ItemStatus.ITEM_STATUS_PUBLISHED,
    targeting: { channels: [], audience: Audience.AUDIENCE_PUBLIC },
    category: "",
    title: "t",
    office: "海关总署",
    updatedAt: T0,
    publishedAt: T0,
    ...overrides,
  };
}

const portal: ChannelView = {
  name: "portal",
  policy: { name: "portal", keepsWithdrawn: true },
  joinedAt: T0 - 1000 * MINUTE,
  audit: { seq: 0, startedAt: 0 },
};

function audited(seq: number, at: number): ChannelView {
  return { ...portal, audit: { seq, startedAt: at } };
}

function ctx(now: number, lateDays = 0): EvaluateContext {
  return { now, graceMs: MINUTE, lateWorkingDays: () => lateDays };
}

function receipt(version: number, checksum: string, at: number, held = true): Cell {
  return {
    ...newCell("a"),
    receiptVersion: version,
    receiptChecksum: checksum,
    receiptHeld: held,
    receiptAt: at,
    receiptSentAt: at,
  };
}

function listed(seq: number, version: number, checksum: string, base: Cell = newCell("a")): Cell {
  return { ...base, auditSeq: seq, auditVersion: version, auditChecksum: checksum };
}

describe("evaluate", () => {
  const later = T0 + 10 * MINUTE;

  it("is pending without evidence, and stays pending (not missing) until an audit looks", () => {
    expect(evaluate(item(), portal, undefined, ctx(T0 + 1000))?.state).toBe("pending");
    expect(evaluate(item(), portal, undefined, ctx(later))).toMatchObject({ state: "pending" });
    expect(evaluate(item(), portal, undefined, ctx(later))?.issue).toBeUndefined();
  });

  it("is delivered when the receipt names the version and checksum", () => {
    const v = evaluate(item(), portal, receipt(2, "c2", T0 + 500), ctx(later));
    expect(v).toMatchObject({ state: "delivered", heldVersion: 2, confirmedAt: T0 + 500 });
  });

  it("trusts an audit newer than the receipt: a loss after the receipt is missing", () => {
    const cell = receipt(2, "c2", T0 + 500);
    const v = evaluate(item(), audited(1, T0 + 5 * MINUTE), cell, ctx(later));
    expect(v).toMatchObject({ state: "missing", issue: { kind: "missing", repairable: true } });
  });

  it("trusts a receipt newer than the audit", () => {
    const cell = receipt(2, "c2", T0 + 6 * MINUTE);
    expect(evaluate(item(), audited(1, T0 + 5 * MINUTE), cell, ctx(later))?.state).toBe(
      "delivered",
    );
  });

  it("finds a stale version and a checksum mismatch", () => {
    const view = audited(4, T0 + 5 * MINUTE);
    expect(evaluate(item(), view, listed(4, 1, "c1"), ctx(later))?.issue?.kind).toBe("stale");
    const mismatch = evaluate(item(), view, listed(4, 2, "zz"), ctx(later));
    expect(mismatch).toMatchObject({ state: "mismatch", issue: { kind: "checksum_mismatch" } });
  });

  it("waits out the grace period before calling a gap a finding", () => {
    const view = audited(1, T0 + 1000);
    expect(evaluate(item(), view, undefined, ctx(T0 + 2000))?.state).toBe("pending");
    expect(evaluate(item(), view, undefined, ctx(later))?.state).toBe("missing");
  });

  it("reports the channel's error for a failed version, and a rejection as not repairable", () => {
    const failed = {
      ...newCell("a"),
      troubleVersion: 2,
      troubleOutcome: "failed" as const,
      troubleCode: "x.busy",
      troubleMessage: "busy",
    };
    expect(evaluate(item(), portal, failed, ctx(later))?.issue).toMatchObject({
      kind: "failed",
      code: "x.busy",
      repairable: true,
    });
    const rejected = { ...failed, troubleOutcome: "rejected" as const };
    expect(evaluate(item(), portal, rejected, ctx(later))?.issue?.repairable).toBe(false);
    // A failure of an older version says nothing about the current one.
    expect(evaluate(item(), portal, { ...failed, troubleVersion: 1 }, ctx(later))?.state).toBe(
      "pending",
    );
  });

  it("declines with the policy's rule, and flags a declined item that is shown anyway", () => {
    const internal = item({ targeting: { channels: [], audience: Audience.AUDIENCE_INTERNAL } });
    expect(evaluate(internal, portal, undefined, ctx(later))).toMatchObject({
      state: "declined",
      issue: { kind: "declined", code: "declined.audience", repairable: false },
    });
    const shown = evaluate(internal, portal, receipt(2, "c2", T0 + 500), ctx(later));
    expect(shown).toMatchObject({ state: "stale", issue: { kind: "not_removed" } });
  });

  describe("an account's policy, on items as the reconciler reads them from the stream", () => {
    const account: ChannelView = {
      ...audited(1, T0 + 5 * MINUTE),
      name: "newmedia/weibo:gov",
      policy: {
        name: "newmedia",
        outletId: "weibo:gov",
        categories: ["海关动态"],
        publishedFrom: new Date("2026-11-01T00:00:00+08:00"),
      },
    };
    const read = (id: string, category: string, publishedAt?: string): ExpectedItem =>
      expectedItemOf(
        itemState(id, 1, {
          category,
          updatedAt: new Date(T0),
          ...(publishedAt ? { dates: { publishedAt: new Date(publishedAt) } } : {}),
        }),
        T0,
      );

    it("owes an item of a listed category, and declines another category", () => {
      const listedItem = read("a", "海关动态", "2026-11-02T09:00:00+08:00");
      expect(evaluate(listedItem, account, undefined, ctx(later))?.state).toBe("missing");
      expect(evaluate(listedItem, account, listed(1, 1, "sha256:a:1"), ctx(later))?.state).toBe(
        "delivered",
      );
      expect(evaluate(read("b", "人事信息"), account, undefined, ctx(later))).toMatchObject({
        state: "declined",
        issue: { code: "declined.category" },
      });
    });

    it("declines what was published before the account's start date, and owes an undated item", () => {
      const old = read("a", "海关动态", "2016-03-01T09:30:00+08:00");
      const verdict = evaluate(old, account, undefined, ctx(later));
      expect(verdict).toMatchObject({
        state: "declined",
        issue: { kind: "declined", code: "declined.published-before", repairable: false },
      });
      expect(verdict?.issue?.reason).toContain("2016-03-01T09:30:00+08:00");
      // The reconciler's delivery clock falls back to the version's time; the policy does not.
      const undated = read("b", "海关动态");
      expect(undated.publishedAt).toBe(T0);
      expect(evaluate(undated, account, undefined, ctx(later))?.state).toBe("missing");
    });
  });

  it("keeps a withdrawn notice on a channel that keeps them, and wants it gone elsewhere", () => {
    const withdrawn = item({
      status: ItemStatus.ITEM_STATUS_RETRACTED,
      takedown: { kind: TakedownKind.TAKEDOWN_KIND_WITHDRAWN },
    });
    const held = receipt(2, "c2", T0 + 500);
    expect(evaluate(withdrawn, portal, held, ctx(later))?.state).toBe("delivered");
    const wechat: ChannelView = { ...portal, name: "wechat", policy: { name: "wechat" } };
    expect(evaluate(withdrawn, wechat, receipt(1, "c1", T0 + 500), ctx(later))?.issue?.kind).toBe(
      "not_removed",
    );
    expect(evaluate(withdrawn, wechat, receipt(2, "", T0 + 500, false), ctx(later))?.state).toBe(
      "removed",
    );
  });

  it("keeps a takedown that waits on an operator's task pending with the task, never repaired", () => {
    const retracted = item({
      version: 3,
      status: ItemStatus.ITEM_STATUS_RETRACTED,
      takedown: { kind: TakedownKind.TAKEDOWN_KIND_REMOVED },
    });
    const weibo: ChannelView = {
      ...portal,
      name: "newmedia/weibo:gov",
      policy: { name: "newmedia", outletId: "weibo:gov" },
    };
    const task = {
      ...receipt(2, "c2", T0 + 500),
      troubleVersion: 3,
      troubleOutcome: "failed" as const,
      troubleCode: "operator_task.weibo_delete",
      troubleMessage: "请在微博手动删除此帖",
    };
    expect(evaluate(retracted, weibo, task, ctx(later))).toMatchObject({
      state: "pending",
      awaiting: { code: "operator_task.weibo_delete", reason: "请在微博手动删除此帖" },
    });
    // Past the deadline it is late, still not repairable: a redelivery cannot delete the post.
    const overdue = {
      ...retracted,
      deadline: { dueAt: T0 + MINUTE, rule: "r", provisional: false },
    };
    expect(evaluate(overdue, weibo, task, ctx(later, 1))?.issue).toMatchObject({
      kind: "late",
      repairable: false,
    });
    // Any other failure of the takedown is the usual "not removed" finding.
    const other = { ...task, troubleCode: "weibo.busy" };
    expect(evaluate(retracted, weibo, other, ctx(later))?.issue?.kind).toBe("not_removed");
  });

  it("finds a holding that was never published, and says nothing of an unknown item nobody holds", () => {
    expect(evaluate(undefined, audited(1, T0), listed(1, 3, "x"), ctx(later))).toMatchObject({
      state: "unexpected",
      heldVersion: 3,
      issue: { kind: "unexpected", repairable: true },
    });
    expect(evaluate(undefined, audited(1, T0), newCell("a"), ctx(later))).toBeUndefined();
    // A receipt read before its item: not unexpected until the grace period is over.
    const early = receipt(1, "c1", later - 1000);
    expect(evaluate(undefined, portal, early, ctx(later))).toBeUndefined();
    expect(evaluate(undefined, portal, early, ctx(later + MINUTE))?.state).toBe("unexpected");
  });

  it("turns an overdue gap late, with its cause and working days, but never a delivered item", () => {
    const due = T0 + 5 * MINUTE;
    const withDeadline = item({
      deadline: { dueAt: due, rule: "decision-7-working-days", provisional: false },
    });
    const view = audited(1, T0 + 2 * MINUTE);
    const v = evaluate(withDeadline, view, undefined, ctx(later, 2));
    expect(v).toMatchObject({
      state: "late",
      issue: { kind: "late", cause: "missing", lateWorkingDays: 2 },
    });
    expect(v?.issue?.reason).toContain("decision-7-working-days");
    expect(evaluate(withDeadline, view, listed(1, 2, "c2"), ctx(later, 2))?.state).toBe(
      "delivered",
    );
  });

  it("does not hold a channel to a deadline that passed before it joined (its backfill)", () => {
    const due = T0 + 5 * MINUTE;
    const withDeadline = item({ deadline: { dueAt: due, rule: "r", provisional: false } });
    const joinedLater: ChannelView = { ...audited(1, T0 + 8 * MINUTE), joinedAt: due + MINUTE };
    expect(evaluate(withDeadline, joinedLater, undefined, ctx(later, 2))?.state).toBe("missing");
  });

  describe("with the channel's consumed offsets (lag is not loss)", () => {
    const at = { partition: 1, offset: 40 };
    const current = item({ position: at });
    function consumedTo(offset: number, partition = 1): ChannelView {
      return {
        ...portal,
        audit: { seq: 1, startedAt: T0 + 5 * MINUTE, consumed: new Map([[partition, offset]]) },
      };
    }

    it("keeps an absence pending while the channel had not read past the item's message", () => {
      for (const offset of [0, 39, 40]) {
        const v = evaluate(current, consumedTo(offset), undefined, ctx(later));
        expect(v).toMatchObject({ state: "pending", inFlight: true });
        expect(v?.issue).toBeUndefined();
      }
    });

    it("counts an absence once the channel had read past it", () => {
      expect(evaluate(current, consumedTo(41), undefined, ctx(later))).toMatchObject({
        state: "missing",
        issue: { kind: "missing", repairable: true },
      });
    });

    it("keeps an older version pending, not stale, until the channel read the newer one", () => {
      expect(evaluate(current, consumedTo(40), listed(1, 1, "c1"), ctx(later))).toMatchObject({
        state: "pending",
        heldVersion: 1,
      });
      expect(evaluate(current, consumedTo(41), listed(1, 1, "c1"), ctx(later))?.state).toBe(
        "stale",
      );
    });

    it("keeps a takedown the channel has not read yet pending, not not_removed", () => {
      const removed = item({
        position: at,
        status: ItemStatus.ITEM_STATUS_RETRACTED,
        takedown: { kind: TakedownKind.TAKEDOWN_KIND_REMOVED },
      });
      expect(evaluate(removed, consumedTo(40), listed(1, 1, "c1"), ctx(later))?.state).toBe(
        "pending",
      );
      expect(evaluate(removed, consumedTo(41), listed(1, 1, "c1"), ctx(later))?.issue?.kind).toBe(
        "not_removed",
      );
    });

    it("cannot tell without offsets, or without one for the item's partition: the absence counts", () => {
      expect(evaluate(current, audited(1, T0 + 5 * MINUTE), undefined, ctx(later))?.state).toBe(
        "missing",
      );
      expect(evaluate(current, consumedTo(0, 2), undefined, ctx(later))?.state).toBe("missing");
    });

    it("does not excuse a newer receipt's evidence, or a wrong checksum", () => {
      const removedAfter = receipt(2, "", T0 + 6 * MINUTE, false);
      expect(evaluate(current, consumedTo(0), removedAfter, ctx(later))?.state).toBe("missing");
      expect(evaluate(current, consumedTo(0), listed(1, 2, "zz"), ctx(later))?.state).toBe(
        "mismatch",
      );
    });

    it("is late past a deadline, but asks no redelivery of what is in flight", () => {
      const due = item({
        position: at,
        deadline: { dueAt: T0 + 2 * MINUTE, rule: "r", provisional: false },
      });
      expect(evaluate(due, consumedTo(40), undefined, ctx(later, 1))).toMatchObject({
        state: "late",
        issue: { kind: "late", repairable: false },
      });
      expect(evaluate(due, consumedTo(41), undefined, ctx(later, 1))?.issue).toMatchObject({
        cause: "missing",
        repairable: true,
      });
    });
  });

  describe("an unreachable outlet", () => {
    const outlet: ChannelView = {
      ...audited(1, T0 + MINUTE),
      name: "outlet-registry",
      unreachable: { since: later, error: "UNAVAILABLE: outlet unreachable" },
    };

    it("leaves what its last audit did not list pending, never missing, and asks no redelivery", () => {
      const verdict = evaluate(item(), outlet, undefined, ctx(later));
      expect(verdict).toMatchObject({ state: "pending", unreachable: true });
      expect(verdict?.issue).toBeUndefined();
      // Reachable again: the same evidence is a loss.
      const reachable: ChannelView = { ...outlet, unreachable: undefined };
      expect(evaluate(item(), reachable, undefined, ctx(later))?.state).toBe("missing");
    });

    it("keeps a delivery its receipt proved, and is late but not repairable past the deadline", () => {
      const held = receipt(2, "c2", T0 + 2 * MINUTE);
      expect(evaluate(item(), outlet, held, ctx(later))?.state).toBe("delivered");
      const due = item({
        deadline: { dueAt: T0 + 5 * MINUTE, rule: "20 个工作日", provisional: false },
      });
      expect(evaluate(due, outlet, undefined, ctx(later, 1))).toMatchObject({
        state: "late",
        issue: { kind: "late", repairable: false },
      });
      expect(evaluate(due, outlet, undefined, ctx(later, 1))?.issue?.reason).toContain(
        "unreachable",
      );
    });
  });
});

describe("a channel's lag at an audit", () => {
  const at = (id: string, partition: number, offset: number) =>
    item({ id, position: { partition, offset } });
  const items = [at("a", 0, 10), at("b", 0, 11), at("c", 1, 5), item({ id: "d" })];

  it("counts the items whose current message the channel had not consumed", () => {
    expect(
      unreadItems(
        items,
        new Map([
          [0, 11],
          [1, 6],
        ]),
      ),
    ).toBe(1);
    expect(
      unreadItems(
        items,
        new Map([
          [0, 0],
          [1, 0],
        ]),
      ),
    ).toBe(3);
    expect(
      unreadItems(
        items,
        new Map([
          [0, 12],
          [1, 6],
        ]),
      ),
    ).toBe(0);
  });

  it("counts nothing for a channel that reports no offsets, or none for a partition", () => {
    expect(unreadItems(items, new Map())).toBe(0);
    expect(unreadItems(items, new Map([[1, 0]]))).toBe(1);
  });
});
