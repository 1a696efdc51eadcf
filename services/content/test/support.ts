import { type ItemState, Topics } from "@herald/contracts";
import { createLogger, decodePayload, ensureTopics, type Logger } from "@herald/runtime";
import { type TestNamespace, testKafka, testStack, waitFor } from "@herald/test-harness";
import type { Consumer } from "kafkajs";
import type { RelayFaults } from "../src/outbox/relay";
import type { ContentService } from "../src/service";
import { startTestContentService, type TestUser } from "../src/testing";

/** A quiet logger; set TEST_LOG_LEVEL=debug to see what the service logs. */
export const testLogger: Logger = createLogger({
  service: "content-test",
  level: (process.env.TEST_LOG_LEVEL as "debug" | undefined) ?? "silent",
});

/** The people and systems the tests act as, each with its own token. */
export const USERS = {
  admin: { roles: ["admin"] },
  alice: { roles: ["editor"] },
  bob: { roles: ["editor"] },
  carol: { roles: ["reviewer"] },
  dave: { roles: ["reviewer"] },
  /** Editor and reviewer at once: the four-eyes rule must still stop them approving their own draft. */
  erin: { roles: ["editor", "reviewer"] },
  "penalty-system": { roles: ["upstream"], kinds: ["administrative-penalty"] },
  "channel-reader": { roles: ["upstream"] },
  /** A channel: reads public states only, and may not learn that anything else exists. */
  portal: { roles: ["channel"] },
} satisfies Record<string, Omit<TestUser, "token">>;
export type User = keyof typeof USERS;

export function tokenOf(user: User): string {
  return `test-token-${user}`;
}

/** Starts a content service on free ports against the test stack, in this file's namespace. */
export function startContent(
  ns: TestNamespace,
  env: Record<string, string> = {},
  relayFaults?: RelayFaults,
): Promise<ContentService> {
  const users = Object.fromEntries(
    Object.entries(USERS).map(([name, user]) => [name, { ...user, token: tokenOf(name as User) }]),
  ) as Record<string, TestUser>;
  return startTestContentService({
    brokers: testStack().brokers,
    mongoUrl: testStack().mongoUrl,
    topicPrefix: ns.topicPrefix,
    dbName: ns.dbName("content"),
    users,
    logger: testLogger,
    env,
    ...(relayFaults ? { relayFaults } : {}),
  });
}

export interface ApiResponse {
  status: number;
  body: Record<string, unknown> & {
    item?: Record<string, unknown>;
    violations?: Array<{ field: string; rule: string; message: string; excerpt?: string }>;
  };
}

/** Calls the HTTP API as a user (or with a raw Authorization header, or none). */
export async function api(
  service: ContentService,
  method: string,
  path: string,
  as: User | { authorization?: string },
  body?: unknown,
): Promise<ApiResponse> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (typeof as === "string") headers.authorization = `Bearer ${tokenOf(as)}`;
  else if (as.authorization) headers.authorization = as.authorization;
  const response = await fetch(`http://127.0.0.1:${service.httpPort}/api${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as ApiResponse["body"]) : {} };
}

/** Everything on the items topic of a namespace, read by a consumer from the beginning. */
export class TopicReader {
  readonly messages: Array<{ key: string; state: ItemState; headers: Record<string, string> }> = [];
  private consumer: Consumer | undefined;

  constructor(private readonly ns: TestNamespace) {}

  async start(): Promise<void> {
    // The service creates the topic too; whoever comes first creates it, same spec.
    const admin = testKafka().admin();
    await admin.connect();
    await ensureTopics(admin, [Topics.items], { prefix: this.ns.topicPrefix, partitions: 3 });
    await admin.disconnect();
    const consumer = testKafka().consumer({ groupId: this.ns.groupId(`reader-${Math.random()}`) });
    await consumer.connect();
    await consumer.subscribe({
      topic: `${this.ns.topicPrefix}${Topics.items.name}`,
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        const decoded = decodePayload(
          Topics.items.schema,
          message.value ?? Buffer.alloc(0),
          headers,
        );
        if (!decoded.ok) throw new Error(`undecodable message on the topic: ${decoded.reason}`);
        this.messages.push({ key: message.key?.toString() ?? "", state: decoded.value, headers });
        return Promise.resolve();
      },
    });
    this.consumer = consumer;
  }

  of(id: string): ItemState[] {
    return this.messages.filter((m) => m.key === id).map((m) => m.state);
  }

  async waitFor(id: string, version: number, timeoutMs = 15_000): Promise<ItemState> {
    await waitFor(() => this.of(id).some((s) => s.version === version), {
      description: `version ${version} of ${id} on the topic`,
      timeoutMs,
    });
    return this.of(id).find((s) => s.version === version)!;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** Prints a measured figure when TEST_FIGURES is set (the ADRs quote them). */
export function figure(name: string, ms: number): void {
  if (process.env.TEST_FIGURES) process.stderr.write(`figure: ${name}: ${ms} ms\n`);
}

/** The item's revision now, as a reviewer reads it before approving or rejecting. */
export async function revisionOf(service: ContentService, id: string): Promise<number> {
  const item = await api(service, "GET", `/items/${id}`, "admin");
  if (item.status !== 200) throw new Error(`GET /items/${id} answered ${item.status}`);
  return item.body.revision as number;
}
