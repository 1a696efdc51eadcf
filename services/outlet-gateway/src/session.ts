import { randomBytes } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import {
  type ConnectRequest,
  type ConnectResponse,
  type Delivery,
  type Hello,
  type InventoryPage,
  ProtocolVersion,
} from "@herald/contracts";
import type { Logger } from "@herald/runtime";
import { ContractError, type SessionPort } from "./dispatch";
import { StatusError, invalidArgument, statusError, withErrorInfo } from "./errors";
import type { OutletFeed } from "./outlet-feed";
import { PolicyError, checkRequestedPolicy, toWirePolicy } from "./policy";
import type { OutletRegistration, OutletRegistry } from "./registry";

export type ConnectCall = grpc.ServerDuplexStream<ConnectRequest, ConnectResponse>;

export interface SessionLimits {
  ackDeadlineMs: number;
  heartbeatMs: number;
  maxInFlight: number;
  maxInstances: number;
  inventoryTimeoutMs: number;
}

/** What a stream needs from the gateway around it. */
export interface SessionHost {
  registry: OutletRegistry;
  limits: SessionLimits;
  logger: Logger;
  /** Instances of the outlet connected to this gateway now. */
  instances(outlet: string): number;
  /** Joins the outlet's feed (starting it when it is the first instance here) and tracks the session. */
  open(session: OutletSession, registration: OutletRegistration): Promise<OutletFeed>;
  close(session: OutletSession): void;
}

const SUPPORTED = [ProtocolVersion.PROTOCOL_VERSION_1];
/** ErrorInfo reason of a Hello whose protocol version this gateway does not speak. */
export const UNSUPPORTED_VERSION = "PROTOCOL_VERSION_UNSUPPORTED";

function durationOf(ms: number) {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

/**
 * One outlet instance's stream: the Hello and its checks, then credit, results,
 * deadline extensions, heartbeats both ways and inventory pages, until the
 * stream ends or the gateway cuts it.
 */
export class OutletSession implements SessionPort {
  readonly id = randomBytes(8).toString("hex");
  outlet = "";
  instanceId = "";
  credentialSha256 = "";
  private limit = 0;
  private feed: OutletFeed | undefined;
  private ended = false;
  /** Messages that came while the Hello was being checked. */
  private early: ConnectRequest[] | undefined;
  private lastHeard = Date.now();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly pages = new Map<
    string,
    {
      resolve: (page: InventoryPage) => void;
      reject: (error: Error) => void;
      timer: NodeJS.Timeout;
    }
  >();
  private readonly log: Logger;

  constructor(
    private readonly call: ConnectCall,
    private readonly host: SessionHost,
  ) {
    this.log = host.logger.child({ component: "session", session: this.id });
    call.on("data", (request: ConnectRequest) => {
      this.lastHeard = Date.now();
      // Until the Hello is settled, later messages (a Credit sent right after it) wait their turn.
      if (this.early) this.early.push(request);
      else void this.receive(request);
    });
    call.on("end", () => this.finish(undefined));
    call.on("cancelled", () => this.finish(undefined));
    call.on("error", () => this.finish(undefined));
  }

  credit(): number {
    return this.limit;
  }

  /** True once the Welcome is sent, until the stream ends. */
  get welcomed(): boolean {
    return this.feed !== undefined && !this.ended;
  }

  deliver(delivery: Delivery): void {
    this.write({ body: { $case: "delivery", value: delivery } });
  }

  /** Asks the outlet for one page of its holdings; rejects when it does not answer in time. */
  requestInventory(pageToken: string, pageSize: number): Promise<InventoryPage> {
    const requestId = randomBytes(8).toString("hex");
    return new Promise<InventoryPage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pages.delete(requestId);
        reject(new Error(`outlet ${this.outlet} did not answer the inventory request in time`));
      }, this.host.limits.inventoryTimeoutMs);
      this.pages.set(requestId, { resolve, reject, timer });
      this.write({
        body: { $case: "inventoryRequest", value: { requestId, pageToken, pageSize } },
      });
    });
  }

  /** Ends the stream with a status (a revoke, a rotation, a broken contract, silence). */
  cut(error: StatusError): void {
    if (this.ended) return;
    this.log.info(
      { outlet: this.outlet, code: error.code, details: error.details },
      "ending stream",
    );
    this.call.emit("error", error);
    this.finish(error);
  }

  private write(response: ConnectResponse): void {
    if (!this.ended) this.call.write(response);
  }

  private async receive(request: ConnectRequest): Promise<void> {
    const body = request.body;
    try {
      if (!this.feed) {
        if (body?.$case !== "hello" || this.outlet) {
          throw statusError(
            grpc.status.FAILED_PRECONDITION,
            "the first message of the stream must be a Hello",
          );
        }
        this.early = [];
        try {
          await this.hello(body.value);
        } finally {
          const early = this.early;
          this.early = undefined;
          if (this.feed) for (const next of early) void this.receive(next);
        }
        return;
      }
      switch (body?.$case) {
        case "hello":
          throw invalidArgument("hello", "is sent once, as the first message");
        case "credit":
          this.limit = Math.min(body.value.inFlightLimit, this.host.limits.maxInFlight);
          this.feed.dispatcher.pump(this.id);
          return;
        case "result":
          await this.feed.dispatcher.result(this.id, body.value);
          return;
        case "extendDeadline": {
          const e = body.value.extension;
          const ms = e ? e.seconds * 1000 + Math.floor(e.nanos / 1_000_000) : 0;
          if (ms <= 0) throw invalidArgument("extend_deadline.extension", "must be positive");
          this.feed.dispatcher.extend(this.id, body.value.deliveryIds, ms);
          return;
        }
        case "heartbeat":
          return;
        case "inventoryPage": {
          const waiting = this.pages.get(body.value.requestId);
          if (!waiting) {
            throw invalidArgument("inventory_page.request_id", "answers no open inventory request");
          }
          this.pages.delete(body.value.requestId);
          clearTimeout(waiting.timer);
          waiting.resolve(body.value);
          return;
        }
        default:
          throw invalidArgument("body", "the message carries nothing this protocol knows");
      }
    } catch (error) {
      if (error instanceof ContractError) this.cut(invalidArgument(error.field, error.message));
      else if (error instanceof StatusError) this.cut(error);
      else {
        this.log.error({ err: error }, "stream failed");
        this.cut(
          statusError(grpc.status.UNAVAILABLE, "the gateway could not record a result; reconnect"),
        );
      }
    }
  }

  private async hello(hello: Hello): Promise<void> {
    this.outlet = hello.outlet || "-";
    if (!SUPPORTED.includes(hello.protocolVersion)) {
      // The plain "supported" trailer stays for clients that predate the ErrorInfo detail.
      const metadata = new grpc.Metadata();
      metadata.set("supported", SUPPORTED.join(","));
      const names = SUPPORTED.map((v) => ProtocolVersion[v]).join(",");
      throw withErrorInfo(
        grpc.status.FAILED_PRECONDITION,
        `hello.protocol_version: ${hello.protocolVersion} is not supported (${UNSUPPORTED_VERSION}); supported: ${names.replaceAll(",", ", ")}`,
        {
          reason: UNSUPPORTED_VERSION,
          metadata: {
            field: "hello.protocol_version",
            requested: String(hello.protocolVersion),
            supported: SUPPORTED.join(","),
            supportedNames: names,
          },
        },
        metadata,
      );
    }
    const registration = await this.host.registry.authenticate(hello.outlet, hello.credential);
    if (!registration) {
      throw statusError(
        grpc.status.UNAUTHENTICATED,
        "the outlet name or its credential is not valid",
      );
    }
    if (!hello.instanceId) throw invalidArgument("hello.instance_id", "is required");
    if (hello.policy) {
      try {
        checkRequestedPolicy(hello.policy, registration.policy);
      } catch (error) {
        if (error instanceof PolicyError)
          throw invalidArgument(error.field, error.message.slice(error.field.length + 2));
        throw error;
      }
    }
    if (this.host.instances(registration.name) >= this.host.limits.maxInstances) {
      throw statusError(
        grpc.status.RESOURCE_EXHAUSTED,
        `outlet ${registration.name} already has ${this.host.limits.maxInstances} instances connected to this gateway`,
      );
    }
    this.outlet = registration.name;
    this.instanceId = hello.instanceId;
    this.credentialSha256 = registration.credentialSha256;
    this.limit = Math.min(hello.initialCredit, this.host.limits.maxInFlight);
    if (this.ended) return;
    const feed = await this.host.open(this, registration);
    if (this.ended) {
      this.host.close(this);
      return;
    }
    this.write({
      body: {
        $case: "welcome",
        value: {
          protocolVersion: ProtocolVersion.PROTOCOL_VERSION_1,
          policy: toWirePolicy(registration.policy),
          ackDeadline: durationOf(this.host.limits.ackDeadlineMs),
          heartbeatInterval: durationOf(this.host.limits.heartbeatMs),
          maxInFlight: this.host.limits.maxInFlight,
          backfilling: feed.backfilling(),
          sessionId: this.id,
        },
      },
    });
    this.feed = feed;
    this.log.info(
      { outlet: this.outlet, instance: this.instanceId, agent: hello.userAgent },
      "outlet connected",
    );
    feed.attach(this);
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastHeard > 3 * this.host.limits.heartbeatMs) {
        this.cut(
          statusError(
            grpc.status.DEADLINE_EXCEEDED,
            `nothing heard from the outlet for three heartbeat intervals (${this.host.limits.heartbeatMs} ms each)`,
          ),
        );
      } else {
        this.write({ body: { $case: "heartbeat", value: { sentAt: new Date() } } });
      }
    }, this.host.limits.heartbeatMs);
    this.heartbeat.unref();
  }

  private finish(_error: StatusError | undefined): void {
    if (this.ended) return;
    this.ended = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const { reject, timer } of this.pages.values()) {
      clearTimeout(timer);
      reject(new Error(`outlet ${this.outlet}'s stream ended during the inventory request`));
    }
    this.pages.clear();
    if (this.feed) {
      this.feed.detach(this.id);
      this.host.close(this);
      this.log.info({ outlet: this.outlet, instance: this.instanceId }, "outlet disconnected");
    }
  }
}
