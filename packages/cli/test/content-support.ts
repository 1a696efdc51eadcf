import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ItemState, Topics } from "@herald/contracts";
import { ROOT, type TestNamespace, testKafka, waitFor } from "@herald/test-harness";
import { type ContentService, startHeraldServices } from "@herald/test-harness/services";
import type { Consumer } from "kafkajs";

export const ADMIN_TOKEN = "cli-test-admin-token";

export { freePort } from "@herald/test-harness";

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `herald-${label}-`));
}

export type { ContentService } from "@herald/test-harness/services";

/**
 * A content service in this process, on free ports, in the test file's namespace,
 * stopped by its clean-up. `now` pins its clock where an expectation depends on the date.
 */
export async function startTestContent(
  ns: TestNamespace,
  now?: () => Date,
): Promise<ContentService> {
  const services = await startHeraldServices(ns, {
    tokens: { admin: ADMIN_TOKEN },
    ...(now ? { content: { now } } : {}),
  });
  return services.content;
}

/** The environment that points the CLI at a test's content service. */
export function cliEnv(service: ContentService, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HERALD_CONTENT_URL: `http://127.0.0.1:${service.httpPort}`,
    HERALD_TOKEN: ADMIN_TOKEN,
    ...extra,
  };
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Date.now() when the process had exited. */
  endedAt: number;
}

/**
 * Runs the herald CLI like the harness's `herald()`, but without blocking this
 * process: the content service under test runs here and must answer the CLI.
 */
export function heraldAsync(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const cli = ["--import", "tsx", "--conditions=herald-source", "packages/cli/src/main.ts"];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cli, ...args], { cwd: ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr, endedAt: Date.now() }));
  });
}

export interface TopicMessage {
  key: string;
  value: Buffer;
  state: ItemState;
  /** Date.now() when this consumer received it. */
  receivedAt: number;
}

/** Reads `<prefix>herald.items.v1` from the beginning and decodes every message as an ItemState. */
export class ItemsTopic {
  readonly messages: TopicMessage[] = [];
  private consumer: Consumer | undefined;

  constructor(private readonly ns: TestNamespace) {}

  async start(): Promise<void> {
    const name = `${this.ns.topicPrefix}${Topics.items.name}`;
    const admin = testKafka().admin();
    await admin.connect();
    // Subscribing before every partition has a leader only makes the consumer log errors.
    await waitFor(async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
      return topics[0]?.partitions.every((p) => p.leader >= 0);
    }).finally(() => admin.disconnect());
    const consumer = testKafka().consumer({ groupId: this.ns.groupId(`cli-${Math.random()}`) });
    const joined = new Promise<void>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    await consumer.connect();
    await consumer.subscribe({ topic: name, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const value = message.value ?? Buffer.alloc(0);
        this.messages.push({
          key: message.key?.toString() ?? "",
          value,
          state: ItemState.decode(value),
          receivedAt: Date.now(),
        });
        return Promise.resolve();
      },
    });
    this.consumer = consumer;
    await joined;
  }

  of(id: string): TopicMessage[] {
    return this.messages.filter((m) => m.key === id);
  }

  async waitFor(id: string, version: number, timeoutMs = 15_000): Promise<TopicMessage> {
    return waitFor(() => this.of(id).find((m) => m.state.version === version), {
      description: `version ${version} of ${id} on the items topic`,
      timeoutMs,
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

export function writeFile(dir: string, name: string, content: string | object): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
}
