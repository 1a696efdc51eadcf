import * as grpc from "@grpc/grpc-js";
import type { ChannelAdapter } from "@herald/channel-kit";
import { ChannelInventoryClient, type Holding, type ListHoldingsResponse } from "@herald/contracts";
import { createLogger, type Logger } from "@herald/runtime";
import { type TestNamespace, testStack } from "@herald/test-harness";
import {
  type ContentService,
  type HeraldServices,
  startHeraldServices,
} from "@herald/test-harness/services";
import type { PortalService } from "../src";
import { TEST_INVENTORY_TOKEN, startTestPortal } from "../src/testing";

export const testLogger: Logger = createLogger({
  service: "portal-test",
  level: (process.env.TEST_LOG_LEVEL as "debug" | undefined) ?? "silent",
});

export const ADMIN_TOKEN = "portal-test-admin";
export const CHANNEL_TOKEN = "portal-test-channel";

/** The fixture each content service came from, so a portal can be started on it. */
const fixtures = new WeakMap<ContentService, HeraldServices>();

/** A content service for the portal to follow, with an admin and the portal's own read-only token. */
export async function startContent(ns: TestNamespace): Promise<ContentService> {
  const services = await startHeraldServices(ns, {
    logger: testLogger,
    tokens: { admin: ADMIN_TOKEN, portal: CHANNEL_TOKEN },
  });
  fixtures.set(services.content, services);
  return services.content;
}

/** A portal that fetches redeliveries from `content` over its real gRPC API, or a portal alone. */
export async function startPortal(
  ns: TestNamespace,
  content: ContentService | undefined,
  options: {
    db?: string;
    group?: string;
    env?: Record<string, string>;
    wrapAdapter?: (adapter: ChannelAdapter) => ChannelAdapter;
  } = {},
): Promise<PortalService> {
  const services = content && fixtures.get(content);
  if (services) return services.startPortal(options);
  if (content) throw new Error("startPortal: start the content service with startContent");
  // No content service: the portal alone, as the scale tests run it.
  const portal = await startTestPortal({
    brokers: testStack().brokers,
    mongoUrl: testStack().mongoUrl,
    topicPrefix: ns.topicPrefix,
    dbName: ns.dbName(options.db ?? "portal"),
    logger: testLogger,
    env: { CHANNEL_GROUP: ns.groupId(options.group ?? "portal"), ...options.env },
    ...(options.wrapAdapter ? { wrapAdapter: options.wrapAdapter } : {}),
  });
  ns.beforeCleanup(() => portal.stop());
  return portal;
}

/** Publishes an item at once (admin, no review) and returns its first version. */
export async function publish(
  content: ContentService,
  item: Record<string, unknown>,
): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${content.httpPort}/api/publish`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(item),
  });
  const body = (await response.json()) as { version?: number; violations?: unknown };
  if (response.status >= 300) {
    throw new Error(`publish failed with ${response.status}: ${JSON.stringify(body)}`);
  }
  return body.version!;
}

export async function takedown(
  content: ContentService,
  id: string,
  body: { mode: string; reason: string; publicExplanation?: string; replacedBy?: string },
): Promise<void> {
  const response = await fetch(
    `http://127.0.0.1:${content.httpPort}/api/items/${encodeURIComponent(id)}/takedown`,
    {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    },
  );
  if (response.status !== 200) {
    throw new Error(`takedown failed with ${response.status}: ${await response.text()}`);
  }
}

/** GET a page of the portal without following redirects. */
export async function page(
  portal: PortalService,
  path: string,
): Promise<{ status: number; html: string; location: string | null }> {
  const response = await fetch(`http://127.0.0.1:${portal.httpPort}${path}`, {
    redirect: "manual",
  });
  return {
    status: response.status,
    html: await response.text(),
    location: response.headers.get("location"),
  };
}

/** Every holding the portal lists over its gRPC ChannelInventory. */
export async function listAllHoldings(portal: PortalService): Promise<Holding[]> {
  const client = new ChannelInventoryClient(
    `127.0.0.1:${portal.inventoryPort}`,
    grpc.credentials.createInsecure(),
  );
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${TEST_INVENTORY_TOKEN}`);
  const holdings: Holding[] = [];
  let pageToken = "";
  try {
    do {
      const response = await new Promise<ListHoldingsResponse>((resolve, reject) =>
        client.listHoldings({ outletId: "", pageSize: 7, pageToken }, metadata, (error, r) =>
          error ? reject(error) : resolve(r),
        ),
      );
      holdings.push(...response.holdings);
      pageToken = response.nextPageToken;
    } while (pageToken);
  } finally {
    client.close();
  }
  return holdings;
}

/** A publishable news item with a Chinese title and body. */
export function newsItem(id: string, title: string, body = `<p>${title}。海关政务公开。</p>`) {
  return {
    id,
    kind: "news",
    title,
    summary: `${title}的摘要`,
    body,
    category: "工作动态",
    issuingOffice: "海关总署办公厅",
  };
}
