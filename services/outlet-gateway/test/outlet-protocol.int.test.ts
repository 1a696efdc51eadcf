import * as grpc from "@grpc/grpc-js";
import { itemState } from "@herald/channel-kit/testing";
import {
  type ConnectRequest,
  type ConnectResponse,
  DeliveryOutcome,
  type DeliveryReceipt,
  ErrorInfo,
  ItemKind,
  OutletGatewayClient,
  ProtocolVersion,
  RpcStatus,
  Topics,
} from "@herald/contracts";
import { testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { TopicCollector, testProducer } from "@herald/test-harness/topics";
import type { OutletGatewayService } from "../src";
import { admin, startTestGateway } from "../src/testing";
import { MemoryOutlet } from "./memory-outlet";

const ns = useTestNamespace("outlet-protocol");
let gateway: OutletGatewayService;
let receipts: TopicCollector<DeliveryReceipt>;
const outlets: MemoryOutlet[] = [];
const clients: OutletGatewayClient[] = [];

beforeAll(async () => {
  const stack = testStack();
  receipts = await new TopicCollector(ns, Topics.receipts).start();
  ns.beforeCleanup(() => receipts.stop());
  gateway = await startTestGateway({
    brokers: stack.brokers,
    mongoUrl: stack.mongoUrl,
    topicPrefix: ns.topicPrefix,
    dbName: ns.dbName("gateway"),
    groupPrefix: ns.groupId("outlet-"),
  });
  ns.beforeCleanup(async () => {
    for (const o of outlets) await o.handle.close();
    for (const c of clients) c.close();
    await gateway.stop();
  });
}, 60_000);

async function register(name: string, kinds: string[]): Promise<string> {
  const added = await admin<{ credential: string }>(gateway, "POST", "/admin/outlets", {
    name,
    kinds,
  });
  expect(added.status).toBe(201);
  return added.body.credential;
}

/** A raw stream, to break the protocol on purpose; resolves with the status it ended with. */
function rawStream(first: ConnectRequest) {
  const client = new OutletGatewayClient(gateway.address, grpc.credentials.createInsecure());
  clients.push(client);
  const stream = client.connect();
  const received: ConnectResponse[] = [];
  stream.on("data", (r: ConnectResponse) => received.push(r));
  const ended = new Promise<grpc.ServiceError>((resolve) => stream.on("error", resolve));
  stream.write(first);
  return { stream, received, ended };
}

const hello = (outlet: string, credential: string, version = ProtocolVersion.PROTOCOL_VERSION_1) =>
  ({
    body: {
      $case: "hello",
      value: {
        outlet,
        credential,
        instanceId: "raw",
        protocolVersion: version,
        initialCredit: 0,
        userAgent: "test",
      },
    },
  }) satisfies ConnectRequest;

describe("outlet protocol", () => {
  it("refuses a stream that does not open with a Hello, and an unsupported protocol version", async () => {
    const noHello = rawStream({ body: { $case: "credit", value: { inFlightLimit: 1 } } });
    expect(await noHello.ended).toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details: "the first message of the stream must be a Hello",
    });
    const credential = await register("proto", ["news"]);
    const old = rawStream(hello("proto", credential, ProtocolVersion.PROTOCOL_VERSION_UNSPECIFIED));
    const error = await old.ended;
    expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error.details).toMatch(/^hello\.protocol_version: .*supported: PROTOCOL_VERSION_1/);
    expect(error.metadata.get("supported")).toEqual(["1"]);
    // The standard detail a client in any language can read: google.rpc.ErrorInfo.
    const [details] = error.metadata.get("grpc-status-details-bin");
    const status = RpcStatus.decode(details as Buffer);
    expect(status.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(status.details.map((d) => d.typeUrl)).toEqual([
      "type.googleapis.com/google.rpc.ErrorInfo",
    ]);
    expect(ErrorInfo.decode(status.details[0]!.value)).toEqual({
      reason: "PROTOCOL_VERSION_UNSUPPORTED",
      domain: "outlet.herald",
      metadata: {
        field: "hello.protocol_version",
        requested: "0",
        supported: "1",
        supportedNames: "PROTOCOL_VERSION_1",
      },
    });
  });

  it("refuses a Hello asking for more than the registration, naming the field", async () => {
    const credential = await register("narrow", ["news"]);
    const wide = rawStream({
      body: {
        $case: "hello",
        value: {
          ...hello("narrow", credential).body.value,
          policy: {
            kinds: [ItemKind.ITEM_KIND_NOTICE],
            audiences: [],
            keepsWithdrawn: false,
            keepsExpired: false,
          },
        },
      },
    });
    const error = await wide.ended;
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toMatch(/^hello\.policy\.kinds: notice not among the kinds/);
    expect(error.metadata.get("grpc-status-details-bin")).toHaveLength(1);
  });

  it("ends a silent stream with DEADLINE_EXCEEDED after three heartbeat intervals", async () => {
    const credential = await register("silent", ["news"]);
    const silent = rawStream(hello("silent", credential));
    await waitFor(() => silent.received.some((r) => r.body?.$case === "welcome"), {
      description: "welcome",
    });
    const error = await silent.ended;
    expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });

  it("gives a slow apply more time instead of sending it twice", async () => {
    const credential = await register("slow", ["policy-document"]);
    const slow = new MemoryOutlet({
      gateway: gateway.address,
      outlet: "slow",
      credential,
      policy: {},
      credit: 0,
      // Longer than the 2 s ack deadline: the SDK extends it.
      applyDelayMs: 3500,
    }).start();
    outlets.push(slow);
    await slow.handle.connected();
    const producer = await testProducer(ns);
    const state = itemState("slow-1", 1, { kind: ItemKind.ITEM_KIND_POLICY_DOCUMENT });
    await producer.send(Topics.items, [{ key: state.id, value: state }]);
    // Credit 0 holds deliveries back until the outlet grants some.
    await waitFor(() => gateway.gateway.activity("slow").pending === 1, { description: "read" });
    expect(gateway.gateway.activity("slow").inFlight).toBe(0);
    expect(slow.inFlight).toBe(0);
    slow.handle.setCredit(1);
    await receipts.waitFor(
      (r) => r.outletId === "slow" && r.outcome === DeliveryOutcome.DELIVERY_OUTCOME_DELIVERED,
      "the slow item's receipt",
      15_000,
    );
    expect(slow.applied.map((a) => a.attempt)).toEqual([1]);
  });

  it("a rotation cuts the old credential's stream; the new credential connects", async () => {
    const credential = await register("turning", ["news"]);
    const first = new MemoryOutlet({
      gateway: gateway.address,
      outlet: "turning",
      credential,
      policy: {},
    }).start();
    outlets.push(first);
    await first.handle.connected();
    const refused = new Promise<string>((resolve) =>
      first.handle.on("state", (state, detail) => state === "refused" && resolve(detail)),
    );
    const rotated = await admin<{ credential: string }>(
      gateway,
      "POST",
      "/admin/outlets/turning/rotate",
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.credential).not.toBe(credential);
    expect(await refused).toMatch(/^PERMISSION_DENIED: .*rotated/);
    const second = new MemoryOutlet({
      gateway: gateway.address,
      outlet: "turning",
      credential: rotated.body.credential,
      policy: {},
    }).start();
    outlets.push(second);
    await expect(second.handle.connected()).resolves.toMatchObject({ maxInFlight: 1000 });
  });
});
