import * as grpc from "@grpc/grpc-js";
import type { HeraldProducer, Logger } from "@herald/runtime";
import type { Kafka } from "kafkajs";
import type { mongo } from "mongoose";
import { statusError } from "./errors";
import { OutletFeed } from "./outlet-feed";
import type { OutletRegistration, OutletRegistry } from "./registry";
import type { OutletSession, SessionHost, SessionLimits } from "./session";

export interface GatewayOptions {
  registry: OutletRegistry;
  kafka: Kafka;
  db: mongo.Db;
  producer: HeraldProducer;
  logger: Logger;
  limits: SessionLimits;
  groupPrefix: string;
  topicPrefix?: string | undefined;
  retry: { initialMs: number; maxMs: number };
  maxPending: number;
  idleLeaveMs: number;
  registryPollMs: number;
  /** The consumer groups' session timeout (kafkajs default when absent). */
  sessionTimeoutMs?: number | undefined;
}

interface FeedSlot {
  feed: Promise<OutletFeed>;
  idle?: NodeJS.Timeout | undefined;
}

/** Feed state of one outlet, for /metrics and the admin listing. */
export interface OutletActivity {
  instances: { instanceId: string; session: string }[];
  inFlight: number;
  pending: number;
  backfilling: boolean;
  counters: OutletFeed["dispatcher"]["counters"] | undefined;
}

/**
 * The outlets' streams connected to this gateway and their feeds: a feed starts
 * with an outlet's first instance here and leaves the outlet's group a while
 * after its last one left. Revokes and rotations, made here or on another
 * gateway, cut the outlet's streams.
 */
export class Gateway implements SessionHost {
  readonly registry: OutletRegistry;
  readonly limits: SessionLimits;
  readonly logger: Logger;
  private readonly sessions = new Map<string, Set<OutletSession>>();
  private readonly feeds = new Map<string, FeedSlot>();
  private readonly started = new Map<string, OutletFeed>();
  private poll: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(private readonly options: GatewayOptions) {
    this.registry = options.registry;
    this.limits = options.limits;
    this.logger = options.logger;
    this.poll = setInterval(() => void this.checkRegistrations(), options.registryPollMs);
    this.poll.unref();
  }

  instances(outlet: string): number {
    return this.sessions.get(outlet)?.size ?? 0;
  }

  async open(session: OutletSession, registration: OutletRegistration): Promise<OutletFeed> {
    if (this.stopping) throw statusError(grpc.status.UNAVAILABLE, "the gateway is shutting down");
    let set = this.sessions.get(registration.name);
    if (!set) this.sessions.set(registration.name, (set = new Set()));
    set.add(session);
    let slot = this.feeds.get(registration.name);
    if (slot?.idle) {
      clearTimeout(slot.idle);
      slot.idle = undefined;
    }
    if (!slot) {
      const feed = new OutletFeed({
        outlet: registration.name,
        policy: registration.policy,
        kafka: this.options.kafka,
        db: this.options.db,
        producer: this.options.producer,
        groupId: `${this.options.groupPrefix}${registration.name}`,
        topicPrefix: this.options.topicPrefix,
        logger: this.logger,
        ackDeadlineMs: this.limits.ackDeadlineMs,
        retry: this.options.retry,
        maxPending: this.options.maxPending,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
      });
      slot = {
        feed: feed.start().then(() => {
          this.started.set(registration.name, feed);
          return feed;
        }),
      };
      this.feeds.set(registration.name, slot);
      slot.feed.catch(() => this.feeds.delete(registration.name));
    }
    try {
      return await slot.feed;
    } catch (error) {
      set.delete(session);
      this.logger.error(
        { err: error, outlet: registration.name },
        "could not start the outlet's feed",
      );
      throw statusError(
        grpc.status.UNAVAILABLE,
        "the gateway could not start the outlet's feed; reconnect",
      );
    }
  }

  close(session: OutletSession): void {
    const set = this.sessions.get(session.outlet);
    if (!set?.delete(session) || set.size > 0) return;
    this.sessions.delete(session.outlet);
    const slot = this.feeds.get(session.outlet);
    if (!slot || this.stopping) return;
    // A reconnect within the grace keeps the group membership (and saves a rebalance).
    slot.idle = setTimeout(() => void this.stopFeed(session.outlet), this.options.idleLeaveMs);
    slot.idle.unref();
  }

  /**
   * A connected instance of the outlet to ask for its holdings, if any. Only one
   * that has had its Welcome: an instance still waiting for its feed to start
   * must receive nothing before the Welcome, and would only read the request
   * (and answer it) after the inventory timeout.
   */
  anySession(outlet: string): OutletSession | undefined {
    return [...(this.sessions.get(outlet) ?? [])].find((session) => session.welcomed);
  }

  /** Ends every stream of the outlet with `code` (a revoke or a rotation). */
  cut(outlet: string, code: grpc.status, details: string): number {
    const set = [...(this.sessions.get(outlet) ?? [])];
    for (const session of set) session.cut(statusError(code, details));
    return set.length;
  }

  activity(outlet: string): OutletActivity {
    const feed = this.started.get(outlet);
    return {
      instances: [...(this.sessions.get(outlet) ?? [])].map((s) => ({
        instanceId: s.instanceId,
        session: s.id,
      })),
      inFlight: feed?.dispatcher.inFlightCount ?? 0,
      pending: feed?.dispatcher.size ?? 0,
      backfilling: feed?.backfilling() ?? false,
      counters: feed ? feed.dispatcher.counters : undefined,
    };
  }

  /** The outlet's feed on this gateway, once started. */
  feed(outlet: string): OutletFeed | undefined {
    return this.started.get(outlet);
  }

  outletsWithFeeds(): string[] {
    return [...this.started.keys()];
  }

  /** Cuts streams whose outlet was revoked or rotated, here or on another gateway. */
  async checkRegistrations(): Promise<void> {
    for (const [outlet, set] of this.sessions) {
      try {
        const current = await this.registry.get(outlet);
        for (const session of set) {
          if (!current || current.revokedAt) {
            session.cut(statusError(grpc.status.PERMISSION_DENIED, `outlet ${outlet} was revoked`));
          } else if (current.credentialSha256 !== session.credentialSha256) {
            session.cut(
              statusError(
                grpc.status.PERMISSION_DENIED,
                `outlet ${outlet}'s credential was rotated; connect with the new credential`,
              ),
            );
          }
        }
      } catch (error) {
        this.logger.warn({ err: error, outlet }, "could not check the outlet's registration");
      }
    }
  }

  private async stopFeed(outlet: string): Promise<void> {
    const slot = this.feeds.get(outlet);
    if (!slot || (this.sessions.get(outlet)?.size ?? 0) > 0) return;
    this.feeds.delete(outlet);
    this.started.delete(outlet);
    const feed = await slot.feed.catch(() => undefined);
    await feed
      ?.stop()
      .catch((error: unknown) =>
        this.logger.warn({ err: error, outlet }, "outlet feed did not stop cleanly"),
      );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.poll) clearInterval(this.poll);
    for (const outlet of [...this.sessions.keys()]) {
      this.cut(outlet, grpc.status.UNAVAILABLE, "the gateway is shutting down; reconnect");
    }
    for (const slot of this.feeds.values()) if (slot.idle) clearTimeout(slot.idle);
    await Promise.all([...this.feeds.keys()].map((outlet) => this.stopFeed(outlet)));
  }
}
