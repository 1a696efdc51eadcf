import { EventEmitter } from "node:events";
import { hostname } from "node:os";
import * as grpc from "@grpc/grpc-js";
import {
  Action,
  type ConnectRequest,
  type ConnectResponse,
  type Delivery,
  type Holding,
  type InventoryRequest,
  type ItemState,
  type OutletPolicy,
  OutletGatewayClient,
  ProtocolVersion,
  type Result,
  type Welcome,
} from "@herald/contracts";
import { OutletDecline, OutletFailure } from "./errors";

/** What `apply` may say about where the item now lives. */
export interface Applied {
  /** A URL or record id on the outlet. */
  externalRef?: string;
}

export interface DeliveryContext {
  readonly deliveryId: string;
  readonly attempt: number;
  readonly backfill: boolean;
  readonly redeliveryReason: string;
}

export interface HoldingsPage {
  holdings: Holding[];
  /** Empty on the last page. */
  nextPageToken: string;
}

export interface OutletLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface ConnectOutletOptions {
  /** host:port of the outlet gateway. */
  gateway: string;
  /** The credential `herald outlet add` printed. */
  credential: string;
  /** The outlet's registered name. */
  outlet: string;
  /** This running instance; default: host name and process id. */
  instanceId?: string;
  /** What the outlet asks to receive, within its registration. */
  policy: Partial<OutletPolicy>;
  /** Deliveries in flight at once (default 16). */
  credit?: number;
  /** Hold this state (add, or replace the version held). Must be idempotent by version. */
  apply(state: ItemState, context: DeliveryContext): Promise<Applied | void>;
  /** Stop holding the item; resolve also when it was never held. */
  remove(state: ItemState, context: DeliveryContext): Promise<void>;
  /** One page of what the outlet holds, in item id order. */
  holdings(request: { pageToken: string; pageSize: number }): Promise<HoldingsPage>;
  logger?: OutletLogger;
  userAgent?: string;
  /** Reconnect backoff: exponential with full jitter (default 1 s to 60 s). */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** gRPC channel credentials (default: insecure, for a gateway on a private network). */
  channelCredentials?: grpc.ChannelCredentials;
}

export type OutletState = "connecting" | "connected" | "waiting" | "refused" | "closed";

export interface OutletHandle {
  readonly state: OutletState;
  /** The last Welcome, once connected. */
  readonly welcome: Welcome | undefined;
  on(event: "state", listener: (state: OutletState, detail: string) => void): this;
  on(event: "welcome", listener: (welcome: Welcome) => void): this;
  /** Sets how many deliveries may be in flight (absolute; 0 pauses); kept across reconnects. */
  setCredit(limit: number): void;
  /** Waits until the stream is connected (or rejects once the outlet is refused or closed). */
  connected(): Promise<Welcome>;
  close(): Promise<void>;
}

/** Codes after which connecting again with the same credential cannot help. */
const FINAL = new Set([
  grpc.status.UNAUTHENTICATED,
  grpc.status.PERMISSION_DENIED,
  grpc.status.INVALID_ARGUMENT,
  grpc.status.FAILED_PRECONDITION,
]);

function ms(duration: { seconds: number; nanos: number } | undefined, fallback: number): number {
  return duration ? duration.seconds * 1000 + Math.floor(duration.nanos / 1e6) : fallback;
}

class Outlet extends EventEmitter implements OutletHandle {
  state: OutletState = "connecting";
  welcome: Welcome | undefined;
  private readonly client: OutletGatewayClient;
  private stream: grpc.ClientDuplexStream<ConnectRequest, ConnectResponse> | undefined;
  private failures = 0;
  private timers = new Set<NodeJS.Timeout>();
  private closing = false;
  private readonly instanceId: string;
  private credit: number;

  constructor(private readonly options: ConnectOutletOptions) {
    super();
    this.credit = options.credit ?? 16;
    this.instanceId = options.instanceId ?? `${hostname()}-${process.pid}`;
    this.client = new OutletGatewayClient(
      options.gateway,
      options.channelCredentials ?? grpc.credentials.createInsecure(),
    );
    this.connect();
  }

  connected(): Promise<Welcome> {
    if (this.state === "connected" && this.welcome) return Promise.resolve(this.welcome);
    return new Promise((resolve, reject) => {
      const onState = (state: OutletState, detail: string) => {
        if (state === "connected" && this.welcome) {
          this.off("state", onState);
          resolve(this.welcome);
        } else if (state === "refused" || state === "closed") {
          this.off("state", onState);
          reject(new Error(`outlet ${this.options.outlet} ${state}: ${detail}`));
        }
      };
      this.on("state", onState);
    });
  }

  setCredit(limit: number): void {
    if (!Number.isInteger(limit) || limit < 0) {
      throw new RangeError(`credit: ${limit} must be a whole number, 0 or more`);
    }
    this.credit = limit;
    this.stream?.write({ body: { $case: "credit", value: { inFlightLimit: limit } } });
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.stream?.cancel();
    this.client.close();
    this.setState("closed", "closed by the outlet");
    await Promise.resolve();
  }

  private setState(state: OutletState, detail: string): void {
    if (this.state === state && state !== "waiting") return;
    this.state = state;
    this.emit("state", state, detail);
  }

  private timer(fn: () => void, delay: number, repeat = false): NodeJS.Timeout {
    const t = repeat ? setInterval(fn, delay) : setTimeout(fn, delay);
    this.timers.add(t);
    return t;
  }

  private connect(): void {
    if (this.closing) return;
    this.setState("connecting", `dialing ${this.options.gateway}`);
    const stream = this.client.connect();
    this.stream = stream;
    let heartbeat: NodeJS.Timeout | undefined;
    const write = (request: ConnectRequest) => {
      if (this.stream === stream) stream.write(request);
    };
    write({
      body: {
        $case: "hello",
        value: {
          outlet: this.options.outlet,
          credential: this.options.credential,
          instanceId: this.instanceId,
          protocolVersion: ProtocolVersion.PROTOCOL_VERSION_1,
          policy: {
            kinds: [...(this.options.policy.kinds ?? [])],
            audiences: [...(this.options.policy.audiences ?? [])],
            keepsWithdrawn: this.options.policy.keepsWithdrawn ?? false,
            keepsExpired: this.options.policy.keepsExpired ?? false,
          },
          initialCredit: this.credit,
          userAgent: this.options.userAgent ?? "herald outlet-sdk (typescript)",
        },
      },
    });
    stream.on("data", (response: ConnectResponse) => {
      const body = response.body;
      switch (body?.$case) {
        case "welcome": {
          this.welcome = body.value;
          this.failures = 0;
          const every = ms(body.value.heartbeatInterval, 10_000);
          heartbeat = this.timer(
            () => write({ body: { $case: "heartbeat", value: { sentAt: new Date() } } }),
            every,
            true,
          );
          this.emit("welcome", body.value);
          this.setState("connected", `session ${body.value.sessionId}`);
          return;
        }
        case "delivery":
          void this.handle(body.value, write);
          return;
        case "inventoryRequest":
          void this.inventory(body.value, write);
          return;
        default:
          return;
      }
    });
    const ended = (error: grpc.ServiceError | undefined) => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      if (heartbeat) {
        clearInterval(heartbeat);
        this.timers.delete(heartbeat);
      }
      if (this.closing) return;
      const detail = error ? `${grpc.status[error.code]}: ${error.details}` : "stream ended";
      if (error && FINAL.has(error.code)) {
        this.options.logger?.warn("outlet refused by the gateway", { detail });
        this.setState("refused", detail);
        this.client.close();
        return;
      }
      this.failures += 1;
      const ceiling = Math.min(
        this.options.reconnect?.maxMs ?? 60_000,
        (this.options.reconnect?.initialMs ?? 1000) * 2 ** (this.failures - 1),
      );
      const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      this.options.logger?.info("reconnecting", { detail, delay });
      this.setState("waiting", `${detail}; reconnecting in ${delay} ms`);
      this.timer(() => this.connect(), delay);
    };
    stream.on("error", (error: grpc.ServiceError) => ended(error));
    stream.on("end", () => ended(undefined));
  }

  private async handle(delivery: Delivery, write: (r: ConnectRequest) => void): Promise<void> {
    const state = delivery.state;
    const context: DeliveryContext = {
      deliveryId: delivery.deliveryId,
      attempt: delivery.attempt,
      backfill: delivery.backfill,
      redeliveryReason: delivery.redeliveryReason,
    };
    // A slow apply asks for more time before its deadline rather than being sent twice.
    const deadline = delivery.ackDeadline ? delivery.ackDeadline.getTime() - Date.now() : 30_000;
    const window = Math.max(50, Math.floor(deadline * (2 / 3)));
    const extend = this.timer(
      () =>
        write({
          body: {
            $case: "extendDeadline",
            value: {
              deliveryIds: [delivery.deliveryId],
              extension: { seconds: Math.ceil(deadline / 1000), nanos: 0 },
            },
          },
        }),
      window,
      true,
    );
    let result: Result;
    try {
      if (!state)
        throw new OutletFailure("outlet.no-state", "the delivery carried no state", false);
      if (delivery.action === Action.ACTION_REMOVE) {
        await this.options.remove(state, context);
        result = {
          deliveryId: delivery.deliveryId,
          outcome: { $case: "delivered", value: { externalRef: "", checksum: "" } },
        };
      } else {
        const applied = await this.options.apply(state, context);
        result = {
          deliveryId: delivery.deliveryId,
          outcome: {
            $case: "delivered",
            value: { externalRef: applied?.externalRef ?? "", checksum: state.checksum },
          },
        };
      }
    } catch (error) {
      if (error instanceof OutletDecline) {
        result = {
          deliveryId: delivery.deliveryId,
          outcome: { $case: "declined", value: { rule: error.rule, message: error.message } },
        };
      } else {
        const failure =
          error instanceof OutletFailure
            ? error
            : new OutletFailure(
                "outlet.error",
                error instanceof Error ? error.message : String(error),
                true,
              );
        result = {
          deliveryId: delivery.deliveryId,
          outcome: {
            $case: "failed",
            value: { code: failure.code, message: failure.message, retryable: failure.retryable },
          },
        };
      }
    } finally {
      clearInterval(extend);
      this.timers.delete(extend);
    }
    write({ body: { $case: "result", value: result } });
  }

  private async inventory(request: InventoryRequest, write: (r: ConnectRequest) => void) {
    try {
      const page = await this.options.holdings({
        pageToken: request.pageToken,
        pageSize: request.pageSize,
      });
      write({
        body: {
          $case: "inventoryPage",
          value: {
            requestId: request.requestId,
            holdings: page.holdings,
            nextPageToken: page.nextPageToken,
            error: "",
          },
        },
      });
    } catch (error) {
      write({
        body: {
          $case: "inventoryPage",
          value: {
            requestId: request.requestId,
            holdings: [],
            nextPageToken: "",
            error: error instanceof Error ? error.message : String(error),
          },
        },
      });
    }
  }
}

/**
 * Connects an outlet to Herald's outlet gateway and keeps it connected: sends
 * the Hello and credit, applies deliveries and answers each with a result,
 * extends deadlines of slow applies, sends heartbeats, answers inventory
 * requests from `holdings`, and reconnects with exponential backoff and jitter.
 * A refusal (wrong credential, revoked, contract broken) stops it: state "refused".
 */
export function connectOutlet(options: ConnectOutletOptions): OutletHandle {
  return new Outlet(options);
}
