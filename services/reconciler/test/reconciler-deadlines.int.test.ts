/**
 * Deadlines in working days: a penalty decision due 7 working days after it was
 * made, across the 2026 National Day holiday and its make-up working day, while
 * the portal is down. The reconciler's clock is moved by the test; everything
 * else (content service, portal, Kafka, FerretDB) is real.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createCalendar } from "@herald/calendar";
import { createLogger } from "@herald/runtime";
import { ROOT, useTestNamespace, waitFor } from "@herald/test-harness";
import {
  type ContentService,
  type HeraldServices,
  type PortalService,
  startHeraldServices,
} from "@herald/test-harness/services";
import type { ReconcilerService } from "../src/service";
import { TEST_OPERATOR_TOKEN } from "../src/testing";

const ns = useTestNamespace("reconciler-deadlines");
const logger = createLogger({ service: "reconciler-test", level: "silent" });
const ADMIN = "deadline-admin-token";
const PORTAL = "deadline-portal-token";
const calendar = createCalendar();
let clock = Date.parse("2026-09-25T10:00:00+08:00");
let content: ContentService;
let portal: PortalService;
let reconciler: ReconcilerService;

let services: HeraldServices;

/** Another portal on the same database and group, after the first was stopped. */
function startPortal(): Promise<PortalService> {
  return services.startPortal();
}

function portalState(id: string) {
  return reconciler.queries.itemStatus(id)?.channels.find((c) => c.channel === "portal");
}

beforeAll(async () => {
  services = await startHeraldServices(ns, {
    logger,
    tokens: { admin: ADMIN, portal: PORTAL },
    portal: true,
    reconciler: { now: () => clock },
  });
  ({ content, portal, reconciler } = services);
}, 120_000);

describe("working-day deadlines", () => {
  it("counts a penalty's 7 working days across National Day, and reports it late while the portal is down", async () => {
    await portal.stop();
    const example = JSON.parse(
      readFileSync(join(ROOT, "examples/items/administrative-penalty.json"), "utf8"),
    ) as { penalty: Record<string, unknown> };
    const id = `penalty-${ns.id}`;
    const response = await fetch(`http://127.0.0.1:${content.httpPort}/api/publish`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({
        ...example,
        id,
        penalty: { ...example.penalty, decisionDate: "2026-09-28" },
      }),
    });
    expect(response.status).toBe(201);
    await waitFor(() => reconciler.queries.itemStatus(id), {
      description: "the item on the stream",
    });
    const due = reconciler.queries.itemStatus(id)?.deadline?.dueAt;
    // 29, 30 Sep; 8, 9, 10 (a Saturday worked to make up for the holiday), 12, 13 Oct.
    expect(due?.toISOString()).toBe(calendar.addWorkingDays("2026-09-28", 7).dueAt.toISOString());
    expect(due?.toISOString()).toBe("2026-10-13T15:59:59.999Z");

    // 9 October: counting weekends only, 7 working days would be over; with the holiday, they are not.
    clock = Date.parse("2026-10-09T12:00:00+08:00");
    await reconciler.tick();
    expect(portalState(id)?.state).toBe("pending");
    expect(reconciler.queries.findings().some((f) => f.itemId === id)).toBe(false);

    // Friday 16 October: three working days past the deadline.
    clock = Date.parse("2026-10-16T12:00:00+08:00");
    await reconciler.tick();
    await reconciler.tick();
    const late = portalState(id);
    expect(late?.state).toBe("late");
    expect(late?.finding).toMatchObject({ kind: "late", lateWorkingDays: 3 });
    expect(late?.finding?.reason).toContain("decision-7-working-days");
    const compliance = reconciler.queries.compliance();
    expect(
      compliance.byKind.find((r) => r.key === "administrative-penalty")?.overdue,
    ).toBeGreaterThanOrEqual(1);

    // The portal comes back and delivers it: delivered, and recorded as late.
    clock = Date.parse("2026-10-16T12:05:00+08:00");
    portal = await startPortal();
    ns.beforeCleanup(() => portal.stop());
    const delivered = await waitFor(
      async () => {
        await reconciler.tick();
        const s = portalState(id);
        return s?.state === "delivered" ? s : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: "the late delivery" },
    );
    expect(delivered.onTime).toBe(false);
    const api = await fetch(`http://127.0.0.1:${reconciler.httpPort}/api/v1/compliance`, {
      headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` },
    });
    const body = (await api.json()) as { byOffice: { key: string; late: number }[] };
    expect(body.byOffice.find((r) => r.key === "皇岗海关")?.late).toBe(1);
  });
});
