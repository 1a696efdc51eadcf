/**
 * A channel that stays up but cannot write is a channel-level finding, on the
 * real stack (content service, a channel on channel-kit, the reconciler, Kafka,
 * FerretDB): its applies fail with a database error, its inventory says it is
 * `failing`, and the reconciler's API reports `not_consuming` with the channel's
 * detail until an audit reads it consuming normally again.
 */
import * as grpc from "@grpc/grpc-js";
import {
  type GetChannelSummaryResponse,
  type ItemState,
  ReconcilerClient,
} from "@herald/contracts";
import { RecordingChannel } from "@herald/channel-kit/testing";
import { createLogger } from "@herald/runtime";
import { useTestNamespace, waitFor } from "@herald/test-harness";
import { type HeraldServices, startHeraldServices } from "@herald/test-harness/services";
import type { AuditReport, ChannelSummary } from "../src/model";

const ns = useTestNamespace("reconciler-consuming");
const logger = createLogger({ service: "reconciler-test", level: "silent" });

/** The recorder, with a database that can go away: every apply then fails, to be retried. */
class DatabaseChannel extends RecordingChannel {
  databaseDown = false;

  override apply(state: ItemState) {
    if (this.databaseDown) {
      this.calls.push({ op: "apply", id: state.id, version: state.version });
      return Promise.reject(
        Object.assign(new Error("connection refused by the channel's database"), {
          code: "database.unavailable",
        }),
      );
    }
    return super.apply(state);
  }
}

let services: HeraldServices;
const channel = new DatabaseChannel({ name: "recorder" });

type Json = Record<string, unknown>;

async function api<T>(path: string, body?: Json): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${services.reconciler.httpPort}/api/v1${path}`, {
    method: body ? "POST" : "GET",
    headers: {
      authorization: `Bearer ${services.tokens.operator}`,
      "content-type": "application/json",
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

async function publish(title: string): Promise<string> {
  const response = await fetch(`${services.contentUrl}/api/publish`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${services.tokens.admin}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({
      kind: "news",
      disclosure: "proactive",
      title,
      summary: "消费状态",
      body: "<p>渠道写入失败时，对账服务报告未正常消费。</p>",
      category: "news",
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** Audits the recorder through the API until its summary passes `check`. */
async function auditUntil(
  check: (summary: ChannelSummary, report: AuditReport) => boolean,
  description: string,
): Promise<{ summary: ChannelSummary; report: AuditReport }> {
  return waitFor(
    async () => {
      const report = await api<AuditReport>("/audits", { channels: ["recorder"] });
      const summary = (await api<ChannelSummary[]>("/channels")).find(
        (c) => c.channel === "recorder",
      );
      return summary && check(summary, report) ? { summary, report } : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 300, description },
  );
}

/** The recorder's summary as gRPC's GetChannelSummary gives it to integrators. */
async function grpcSummary() {
  const client = new ReconcilerClient(
    `127.0.0.1:${services.reconciler.grpcPort}`,
    grpc.credentials.createInsecure(),
  );
  try {
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${services.tokens.operator}`);
    const response = await new Promise<GetChannelSummaryResponse>((resolve, reject) =>
      client.getChannelSummary({}, metadata, (error, answer) =>
        error ? reject(error) : resolve(answer),
      ),
    );
    return response.channels.find((c) => c.channel === "recorder");
  } finally {
    client.close();
  }
}

beforeAll(async () => {
  services = await startHeraldServices(ns, {
    logger,
    channels: [{ adapter: channel }],
    reconciler: true,
  });
}, 120_000);

describe("a channel that cannot apply", () => {
  it("is not_consuming with its detail on the reconciler's API, and clears once it applies again", async () => {
    const first = await publish("正常送达的信息");
    await waitFor(() => channel.shown.has(first), { description: "the first item applied" });
    const healthy = await auditUntil(
      (s) => s.consuming?.state === "normal",
      "an audit reading the recorder consuming normally",
    );
    expect(healthy.summary.notConsuming).toBeUndefined();
    expect(healthy.report.notConsuming).toBeUndefined();

    channel.databaseDown = true;
    const blocked = await publish("数据库不可用时发布的信息");
    await waitFor(() => channel.applies(blocked).length > 0, {
      description: "an apply of the blocked item tried",
    });
    const failing = await auditUntil(
      (s) => s.notConsuming !== undefined,
      "a not_consuming finding on the recorder",
    );
    expect(failing.summary.consuming?.state).toBe("failing");
    expect(failing.summary.notConsuming).toMatchObject({
      channel: "recorder",
      kind: "not_consuming",
      state: "failing",
      code: "not_consuming.failing",
    });
    expect(failing.summary.notConsuming?.detail).toContain(
      "database.unavailable: connection refused by the channel's database",
    );
    expect(failing.summary.notConsuming?.message).toMatch(/^未正常消费（处理失败/);
    expect(failing.report.notConsuming?.map((f) => f.channel)).toEqual(["recorder"]);
    // Integrators read the same finding over gRPC.
    expect((await grpcSummary())?.notConsuming).toMatchObject({
      state: "failing",
      code: "not_consuming.failing",
      detail: failing.summary.notConsuming?.detail,
      message: failing.summary.notConsuming?.message,
    });
    // Still ready for traffic: only the consuming state says something is wrong.
    expect(services.channels[0]!.ready().ok).toBe(true);
    expect(services.reconciler.metricsText()).toContain(
      'herald_reconciler_channel_consuming{channel="recorder",state="failing"} 1',
    );

    channel.databaseDown = false;
    const after = await publish("恢复后发布的信息");
    await waitFor(() => channel.shown.has(after), { description: "an item applied again" });
    const recovered = await auditUntil(
      (s) => s.consuming?.state === "normal",
      "an audit reading the recorder consuming normally again",
    );
    expect(recovered.summary.notConsuming).toBeUndefined();
    expect(recovered.report.notConsuming).toBeUndefined();
    expect((await grpcSummary())?.notConsuming).toBeUndefined();
    expect(services.reconciler.metricsText()).toContain(
      'herald_reconciler_channel_consuming{channel="recorder",state="normal"} 1',
    );
  }, 150_000);
});
