import {
  BadRequest,
  ContentServiceClient,
  type GetItemRequest,
  type GetItemResponse,
  type ListItemsRequest,
  type ListItemsResponse,
  type PublishRequest,
  type PublishResponse,
  type TakeDownRequest,
  type TakeDownResponse,
  type UpdateRequest,
  type UpdateResponse,
  Disclosure,
  type ItemDraft,
  ItemKind,
  ItemStatus,
  PartyKind,
  RpcStatus,
  TakedownKind,
} from "@herald/contracts";
import { useTestNamespace } from "@herald/test-harness";
import * as grpc from "@grpc/grpc-js";
import type { ContentService } from "../src/service";
import { startContent, tokenOf, TopicReader, type User } from "./support";

const ns = useTestNamespace("content-grpc");
const topic = new TopicReader(ns);
let content: ContentService;
let client: ContentServiceClient;

beforeAll(async () => {
  content = await startContent(ns);
  await topic.start();
  client = new ContentServiceClient(
    `127.0.0.1:${content.grpcPort}`,
    grpc.credentials.createInsecure(),
  );
});
ns.beforeCleanup(async () => {
  client.close();
  await topic.stop();
  await content.stop();
});

function metadataFor(user: User | undefined, raw?: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (user) metadata.set("authorization", `Bearer ${tokenOf(user)}`);
  if (raw) metadata.set("authorization", raw);
  return metadata;
}

type Result<Res> = { response?: Res; error?: grpc.ServiceError };
type Callback<Res> = (error: grpc.ServiceError | null, response: Res) => void;

/** Calls a unary method and resolves with its response or its error. */
function unary<Res>(invoke: (callback: Callback<Res>) => unknown): Promise<Result<Res>> {
  return new Promise((resolve) => {
    invoke((error, response) => resolve(error ? { error } : { response }));
  });
}

const rpc = {
  publish: (req: PublishRequest, md: grpc.Metadata) =>
    unary<PublishResponse>((cb) => client.publish(req, md, cb)),
  update: (req: UpdateRequest, md: grpc.Metadata) =>
    unary<UpdateResponse>((cb) => client.update(req, md, cb)),
  takeDown: (req: TakeDownRequest, md: grpc.Metadata) =>
    unary<TakeDownResponse>((cb) => client.takeDown(req, md, cb)),
  getItem: (req: GetItemRequest, md: grpc.Metadata) =>
    unary<GetItemResponse>((cb) => client.getItem(req, md, cb)),
  listItems: (req: ListItemsRequest, md: grpc.Metadata) =>
    unary<ListItemsResponse>((cb) => client.listItems(req, md, cb)),
};

function fieldViolations(error: grpc.ServiceError | undefined) {
  const details = error?.metadata.get("grpc-status-details-bin")[0];
  if (!Buffer.isBuffer(details)) return [];
  const status = RpcStatus.decode(details);
  const badRequest = status.details.find((d) => d.typeUrl.endsWith("google.rpc.BadRequest"));
  return badRequest ? BadRequest.decode(badRequest.value).fieldViolations : [];
}

const penaltyDraft = (overrides: Partial<ItemDraft> = {}): ItemDraft => ({
  id: "",
  kind: ItemKind.ITEM_KIND_ADMINISTRATIVE_PENALTY,
  title: "行政处罚决定书 深关缉违字〔2016〕88号",
  summary: "",
  bodyHtml: "<p>当事人李某（身份证号 11010519491231002X）携带物品未申报。</p>",
  attachments: [],
  category: "penalties",
  tags: [],
  disclosure: Disclosure.DISCLOSURE_PROACTIVE,
  issuingOffice: "深圳海关",
  documentNumber: "深关缉违字〔2016〕88号",
  indexNumber: "",
  overrides: [],
  related: [],
  priority: 0,
  details: {
    $case: "penalty",
    value: {
      decisionNumber: "深关缉违字〔2016〕88号",
      party: { name: "李某", kind: PartyKind.PARTY_KIND_NATURAL_PERSON, identifier: "" },
      legalBasis: "《中华人民共和国海关行政处罚实施条例》第十九条",
      decisionDate: new Date("2016-06-01T00:00:00+08:00"),
      violation: "",
      penalty: "罚款人民币5000元",
      decidingOffice: "深圳海关",
    },
  },
  ...overrides,
});

describe("gRPC ContentService", () => {
  it("refuses calls without valid credentials", async () => {
    const none = await rpc.getItem({ id: "x" }, metadataFor(undefined));
    expect(none.error?.code).toBe(grpc.status.UNAUTHENTICATED);
    const bad = await rpc.getItem({ id: "x" }, metadataFor(undefined, "Bearer forged"));
    expect(bad.error?.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it("limits an upstream system to its kinds and refuses editors' tokens for direct publication", async () => {
    const news = penaltyDraft({ kind: ItemKind.ITEM_KIND_NEWS, details: undefined });
    const denied = await rpc.publish({ item: news }, metadataFor("penalty-system"));
    expect(denied.error?.code).toBe(grpc.status.PERMISSION_DENIED);
    const editor = await rpc.publish({ item: penaltyDraft() }, metadataFor("alice"));
    expect(editor.error?.code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it("answers INVALID_ARGUMENT with a BadRequest naming each field", async () => {
    const draft = penaltyDraft({ bodyHtml: '<p onclick="steal()">x</p>' });
    if (draft.details?.$case === "penalty") draft.details.value.decisionNumber = "";
    const result = await rpc.publish({ item: draft }, metadataFor("penalty-system"));
    expect(result.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    const violations = fieldViolations(result.error).map((v) => `${v.field} ${v.reason}`);
    expect(violations.sort()).toEqual([
      "item.body_html html.no-event-handler",
      "item.penalty.decision_number required",
    ]);
  });

  it("publishes, updates and takes down a penalty decision, with the states on the topic", async () => {
    const published = await rpc.publish({ item: penaltyDraft() }, metadataFor("penalty-system"));
    expect(published.error).toBeUndefined();
    const state = published.response!.item!;
    expect(state.version).toBe(1);
    expect(state.bodyHtml).toContain("110105********002X");
    expect(published.response!.adjustments.map((a) => a.rule)).toEqual([
      "personal-data.masked.id-number",
    ]);
    expect(state.deadline?.rule).toBe("decision-7-working-days");
    const onTopic = await topic.waitFor(state.id, 1);
    expect(onTopic.checksum).toBe(state.checksum);

    const stale = await rpc.update(
      { id: state.id, item: penaltyDraft({ title: "更正" }), expectedVersion: 7 },
      metadataFor("penalty-system"),
    );
    expect(stale.error?.code).toBe(grpc.status.ABORTED);
    const updated = await rpc.update(
      { id: state.id, item: penaltyDraft({ title: "行政处罚决定书（更正）" }), expectedVersion: 1 },
      metadataFor("penalty-system"),
    );
    expect(updated.response?.item?.version).toBe(2);
    expect((await topic.waitFor(state.id, 2)).title).toBe("行政处罚决定书（更正）");

    const noReason = await rpc.takeDown(
      {
        id: state.id,
        kind: TakedownKind.TAKEDOWN_KIND_REMOVED,
        reason: "",
        publicExplanation: "",
        replacedBy: "",
      },
      metadataFor("penalty-system"),
    );
    expect(fieldViolations(noReason.error).map((v) => v.field)).toEqual(["reason"]);
    const revokedAt = new Date("2016-07-01T10:00:00+08:00");
    const removed = await rpc.takeDown(
      {
        id: state.id,
        kind: TakedownKind.TAKEDOWN_KIND_REMOVED,
        reason: "处罚决定已被复议撤销",
        publicExplanation: "",
        replacedBy: "",
        decisionRevokedAt: revokedAt,
      },
      metadataFor("penalty-system"),
    );
    const gone = removed.response!.item!;
    expect(gone.status).toBe(ItemStatus.ITEM_STATUS_RETRACTED);
    expect(gone.deadline?.rule).toBe("revoked-penalty-takedown-3-working-days");
    // 2016-07-01 is a Friday: three working days later is Wednesday 6 July, end of day.
    expect(gone.deadline?.dueAt).toEqual(new Date("2016-07-06T23:59:59.999+08:00"));
    expect((await topic.waitFor(state.id, 3)).takedown?.decisionRevokedAt).toEqual(revokedAt);

    const got = await rpc.getItem({ id: state.id }, metadataFor("channel-reader"));
    expect(got.response?.item?.version).toBe(3);
  });

  it("makes Publish with a client id idempotent, and refuses the id for other content", async () => {
    const draft = penaltyDraft({ id: "sz-2016-88" });
    const first = await rpc.publish({ item: draft }, metadataFor("penalty-system"));
    const again = await rpc.publish({ item: draft }, metadataFor("penalty-system"));
    expect(again.response?.item?.checksum).toBe(first.response?.item?.checksum);
    expect(again.response?.item?.version).toBe(1);
    const other = await rpc.publish(
      { item: penaltyDraft({ id: "sz-2016-88", title: "另一份决定" }) },
      metadataFor("penalty-system"),
    );
    expect(other.error?.code).toBe(grpc.status.ALREADY_EXISTS);
  });

  it("never shows an undisclosed item, and lists public states page by page", async () => {
    const withheld = await rpc.publish(
      { item: penaltyDraft({ disclosure: Disclosure.DISCLOSURE_WITHHELD }) },
      metadataFor("penalty-system"),
    );
    const hiddenId = withheld.response!.item!.id;
    const get = await rpc.getItem({ id: hiddenId }, metadataFor("channel-reader"));
    expect(get.error?.code).toBe(grpc.status.NOT_FOUND);

    const since = new Date();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await rpc.publish(
        { item: penaltyDraft({ title: `分页 ${i}` }) },
        metadataFor("penalty-system"),
      );
      ids.push(r.response!.item!.id);
    }
    const seen: string[] = [];
    let pageToken = "";
    for (let page = 0; page < 10; page++) {
      const r = await rpc.listItems(
        { updatedSince: since, pageSize: 2, pageToken, kinds: [] },
        metadataFor("channel-reader"),
      );
      seen.push(...r.response!.items.map((i) => i.id));
      pageToken = r.response!.nextPageToken;
      if (!pageToken) break;
    }
    expect(seen).toEqual(ids);
    expect(seen).not.toContain(hiddenId);
    const bad = await rpc.listItems(
      { pageSize: 2, pageToken: "garbage", kinds: [] },
      metadataFor("channel-reader"),
    );
    expect(fieldViolations(bad.error).map((v) => v.field)).toEqual(["page_token"]);
  });
});
