import {
  ContentServiceClient,
  Disclosure,
  type ItemDraft,
  ItemKind,
  TakedownKind,
} from "@herald/contracts";
import { useTestNamespace } from "@herald/test-harness";
import * as grpc from "@grpc/grpc-js";
import type { ContentService } from "../src/service";
import { api, startContent, tokenOf, type User } from "./support";

/**
 * A caller who may not see an item (an upstream system outside its kinds, a
 * channel before the item is public) gets the answer a missing id gets, the same
 * byte for byte, on every item route: nothing tells it the item exists.
 */
const ns = useTestNamespace("content-oracle");
let content: ContentService;
let client: ContentServiceClient;
let draftId: string;
let publishedId: string;

beforeAll(async () => {
  content = await startContent(ns);
  client = new ContentServiceClient(
    `127.0.0.1:${content.grpcPort}`,
    grpc.credentials.createInsecure(),
  );
  const news = { kind: "news", title: "内部草稿：尚未公开", body: "<p>草稿</p>", category: "news" };
  const draft = await api(content, "POST", "/items", "alice", news);
  expect(draft.status).toBe(201);
  draftId = draft.body.item!.id as string;
  const published = await api(content, "POST", "/publish", "admin", { ...news, title: "已公开" });
  expect(published.status).toBe(201);
  publishedId = published.body.id as string;
});
ns.beforeCleanup(async () => {
  client.close();
  await content.stop();
});

/** An id of the same length that names nothing, so the two answers can match byte for byte. */
function missingLike(id: string): string {
  return `${id.slice(0, -1)}${id.endsWith("0") ? "1" : "0"}`;
}

const FUTURE = new Date(Date.now() + 86_400_000).toISOString();
const ROUTES: Array<[method: string, suffix: string, body?: unknown]> = [
  ["GET", ""],
  ["GET", "/versions"],
  ["GET", "/versions/1"],
  ["GET", "/audit"],
  ["PATCH", "", { title: "改标题" }],
  ["POST", "/submit", {}],
  ["POST", "/approve", { revision: 1 }],
  ["POST", "/reject", { revision: 1, reason: "请补充" }],
  ["POST", "/publish", {}],
  ["POST", "/schedule", { publishAt: FUTURE }],
  ["POST", "/takedown", { mode: "removed", reason: "错误" }],
  ["POST", "/disclosure-review", { nextReviewAt: FUTURE, note: "复核" }],
  ["POST", "/announce"],
];

/** The raw answer, with the id written as ID so two ids of the same length compare. */
async function raw(user: User, method: string, id: string, suffix: string, body?: unknown) {
  const response = await fetch(
    `http://127.0.0.1:${content.httpPort}/api/items/${encodeURIComponent(id)}${suffix}`,
    {
      method,
      headers: { authorization: `Bearer ${tokenOf(user)}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    },
  );
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    contentLength: response.headers.get("content-length"),
    body: (await response.text()).replaceAll(id, "ID"),
  };
}

describe("no oracle over HTTP", () => {
  const cases: Array<[User, string, () => string]> = [
    ["penalty-system", "a draft of another kind", () => draftId],
    ["penalty-system", "a public item of another kind", () => publishedId],
    ["portal", "a draft", () => draftId],
  ];
  it.each(cases)(
    "%s: %s answers exactly as a missing id, on every route",
    async (user, _what, idOf) => {
      const id = idOf();
      const missing = missingLike(id);
      expect((await api(content, "GET", `/items/${missing}`, "admin")).status).toBe(404);
      for (const [method, suffix, body] of ROUTES) {
        const hidden = await raw(user, method, id, suffix, body);
        const absent = await raw(user, method, missing, suffix, body);
        expect({ route: `${method} ${suffix}`, ...hidden }).toEqual({
          route: `${method} ${suffix}`,
          ...absent,
        });
        expect({ route: `${method} ${suffix}`, status: hidden.status }).toEqual({
          route: `${method} ${suffix}`,
          status: 404,
        });
        // Nothing about the item: not its kind, not its state.
        expect(hidden.body).not.toMatch(/news|kind|draft|published/);
      }
    },
  );

  it("still tells those who may see the item what stops them", async () => {
    const answer = await api(content, "POST", `/items/${draftId}/takedown`, "alice", {
      mode: "removed",
      reason: "错误",
    });
    expect(answer.status).toBe(403);
    const channel = await api(content, "GET", `/items/${publishedId}`, "portal");
    expect(channel.status).toBe(403);
  });
});

type Callback<Res> = (error: grpc.ServiceError | null, response: Res) => void;
function call<Res>(invoke: (callback: Callback<Res>) => unknown) {
  return new Promise<{ code: number; details: string }>((resolve) => {
    invoke((error) => resolve({ code: error?.code ?? 0, details: error?.details ?? "" }));
  });
}

const newsDraft: ItemDraft = {
  id: "",
  kind: ItemKind.ITEM_KIND_NEWS,
  title: "上游改写",
  summary: "",
  bodyHtml: "<p>正文</p>",
  attachments: [],
  category: "news",
  tags: [],
  disclosure: Disclosure.DISCLOSURE_PROACTIVE,
  issuingOffice: "",
  documentNumber: "",
  indexNumber: "",
  overrides: [],
  related: [],
  priority: 0,
};

describe("no oracle over gRPC", () => {
  function rpcs(user: User, id: string) {
    const md = new grpc.Metadata();
    md.set("authorization", `Bearer ${tokenOf(user)}`);
    return {
      GetItem: () => call((cb) => client.getItem({ id }, md, cb)),
      Update: () =>
        call((cb) => client.update({ id, item: newsDraft, expectedVersion: 0 }, md, cb)),
      TakeDown: () =>
        call((cb) =>
          client.takeDown(
            {
              id,
              kind: TakedownKind.TAKEDOWN_KIND_REMOVED,
              reason: "错误",
              publicExplanation: "",
              replacedBy: "",
            },
            md,
            cb,
          ),
        ),
      Approve: () => call((cb) => client.approve({ id, revision: 1, note: "" }, md, cb)),
      Reject: () => call((cb) => client.reject({ id, revision: 1, reason: "请补充" }, md, cb)),
    };
  }

  it.each([
    ["penalty-system", "draft"],
    ["portal", "draft"],
  ] as const)(
    "%s: a %s it may not see is NOT_FOUND exactly as a missing id",
    async (user, _what) => {
      const missing = missingLike(draftId);
      const hidden = rpcs(user, draftId);
      const absent = rpcs(user, missing);
      for (const name of Object.keys(hidden) as Array<keyof typeof hidden>) {
        const a = await hidden[name]();
        const b = await absent[name]();
        expect({ name, code: a.code, details: a.details.replaceAll(draftId, "ID") }).toEqual({
          name,
          code: grpc.status.NOT_FOUND,
          details: b.details.replaceAll(missing, "ID"),
        });
        expect(a.details).not.toMatch(/news|kind|draft/);
      }
    },
  );
});
