import {
  BadRequest,
  ContentServiceClient,
  Disclosure,
  type GetItemResponse,
  type ItemDraft,
  ItemKind,
  type ItemState,
  PartyKind,
  type PublishResponse,
  RpcStatus,
} from "@herald/contracts";
import { useTestNamespace } from "@herald/test-harness";
import * as grpc from "@grpc/grpc-js";
import type { ContentService } from "../src/service";
import { api, startContent, tokenOf, TopicReader, type User } from "./support";

// Personal data and text hygiene through both front doors, on the real stack:
// what is refused over HTTP is refused over gRPC, and what is masked leaves the
// service (on the topic, and through GetItem, which is what channels read) masked.

const ns = useTestNamespace("content-personal-data");
const topic = new TopicReader(ns);
let content: ContentService;
let client: ContentServiceClient;

beforeAll(async () => {
  content = await startContent(ns, { CONTENT_IMAGE_HOSTS: "img.customs.gov.cn" });
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

const FULL_WIDTH = (text: string) =>
  text.replace(/[0-9X]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0));

/** Digits a reader sees in a text: markup removed, full-width folded, everything else dropped. */
function visibleDigits(text: string): string {
  return text
    .replace(/<[^>]*>/g, "")
    .normalize("NFKC")
    .replace(/[^0-9X]/g, "");
}

function metadataFor(user: User): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${tokenOf(user)}`);
  return metadata;
}

function grpcPublish(
  item: ItemDraft,
): Promise<{ error?: grpc.ServiceError; response?: PublishResponse }> {
  return new Promise((resolve) => {
    client.publish({ item }, metadataFor("penalty-system"), (error, response) =>
      resolve(error ? { error } : { response }),
    );
  });
}

function grpcGet(id: string): Promise<GetItemResponse> {
  return new Promise((resolve, reject) => {
    client.getItem({ id }, metadataFor("channel-reader"), (error, response) =>
      error ? reject(error) : resolve(response),
    );
  });
}

function fieldViolations(error: grpc.ServiceError | undefined): string[] {
  const details = error?.metadata.get("grpc-status-details-bin")[0];
  if (!Buffer.isBuffer(details)) return [];
  const status = RpcStatus.decode(details);
  const badRequest = status.details.find((d) => d.typeUrl.endsWith("google.rpc.BadRequest"));
  if (!badRequest) return [];
  return BadRequest.decode(badRequest.value).fieldViolations.map((v) => `${v.field} ${v.reason}`);
}

const news = (extra: Record<string, unknown> = {}) => ({
  kind: "news",
  title: "口岸通关时效公告",
  body: "<p>本季度口岸整体通关时间继续压缩。</p>",
  ...extra,
});

const penaltyDraft = (partyKind: PartyKind, overrides: Partial<ItemDraft> = {}): ItemDraft => ({
  id: "",
  kind: ItemKind.ITEM_KIND_ADMINISTRATIVE_PENALTY,
  title: "行政处罚决定书 深关缉违字〔2016〕88号",
  summary: "",
  bodyHtml: "<p>当事人携带物品未申报。</p>",
  attachments: [],
  category: "行政处罚",
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
      party: { name: "李某", kind: partyKind, identifier: "" },
      legalBasis: "《中华人民共和国海关行政处罚实施条例》第十九条",
      decisionDate: new Date("2016-06-01T00:00:00+08:00"),
      violation: "",
      penalty: "罚款人民币5000元",
      decidingOffice: "深圳海关",
    },
  },
  ...overrides,
});

/** Publishes a harmless item and waits for it: anything sent before it has been relayed too. */
async function sentinel(): Promise<void> {
  const published = await api(content, "POST", "/publish", "admin", news({ title: "哨兵" }));
  await topic.waitFor(published.body.id as string, 1);
}

describe("personal data over HTTP", () => {
  const variants: Array<[string, Record<string, unknown>, string, string]> = [
    [
      "an ID in spaced groups in the category",
      { category: "110105 19491231 002X" },
      "category",
      "personal-data.id-number",
    ],
    [
      "a full-width mobile in the issuing office",
      { issuingOffice: `某海关 ${FULL_WIDTH("13812345678")}` },
      "issuingOffice",
      "personal-data.mobile",
    ],
    [
      "a mobile split across <span> in the body",
      { body: "<p>电话<span>138</span><em>1234</em>5678</p>" },
      "body",
      "personal-data.mobile",
    ],
    [
      "an ID with zero-width spaces in the index number",
      { indexNumber: "1101\u200b0519491231\u200b002X" },
      "indexNumber",
      "personal-data.id-number",
    ],
    [
      "an old 15-digit ID in an attachment name",
      { attachments: [{ name: "110101700101123.pdf", url: "https://files.example/a.pdf" }] },
      "attachments.0.name",
      "personal-data.id-number",
    ],
    [
      "a dotted mobile in an attachment URL",
      { attachments: [{ name: "附件", url: "https://files.example/138.1234.5678.pdf" }] },
      "attachments.0.url",
      "personal-data.mobile",
    ],
    [
      "a no-break-spaced mobile in a channel digest",
      { overrides: [{ channel: "wechat", digest: "电话138\u00a01234\u00a05678" }] },
      "overrides.0.digest",
      "personal-data.mobile",
    ],
    [
      "a mobile in a noticeboard site",
      { targeting: { noticeboardSites: ["site-13812345678"] } },
      "targeting.noticeboardSites.0",
      "personal-data.mobile",
    ],
  ];

  it.each(variants)(
    "refuses %s, naming the field and the rule, and sends nothing",
    async (_name, extra, field, rule) => {
      const before = topic.messages.length;
      const response = await api(content, "POST", "/publish", "admin", news(extra));
      expect(response.status).toBe(422);
      expect(response.body.violations).toEqual([expect.objectContaining({ field, rule })]);
      await sentinel();
      expect(topic.messages.length).toBe(before + 1);
    },
  );

  it("masks every field of a decision about a natural person, and no raw number leaves the service", async () => {
    const response = await api(content, "POST", "/publish", "admin", {
      kind: "administrative-penalty",
      title: "行政处罚决定书（走私普通货物）",
      body: "<p>当事人张某，身份证号<span>110105</span><b>19491231</b>002X。</p>",
      category: "处罚 138 1234 5678",
      penalty: {
        decisionNumber: "沪关缉违字〔2016〕12号",
        party: { name: "张某", kind: "natural-person", identifier: "110101700101123" },
        legalBasis: "《中华人民共和国海关行政处罚实施条例》第十五条",
        decisionDate: "2016-05-10",
        violation: "申报不实，联系电话138\u200b1234\u200b5678",
        penalty: "罚款人民币2万元",
      },
    });
    expect(response.status).toBe(201);
    const adjustments = response.body.adjustments as Array<{ field: string; rule: string }>;
    expect(adjustments.map((a) => `${a.field} ${a.rule}`).sort()).toEqual([
      "body personal-data.masked.id-number",
      "category personal-data.masked.mobile",
      "penalty.party.identifier personal-data.masked.id-number",
      "penalty.violation personal-data.masked.mobile",
    ]);
    const id = response.body.id as string;
    const onTopic = await topic.waitFor(id, 1);
    const fetched = (await grpcGet(id)).item!;
    for (const state of [onTopic, fetched] as ItemState[]) {
      const digits = visibleDigits(JSON.stringify(state));
      expect(digits).not.toContain("19491231");
      expect(digits).not.toContain("700101");
      expect(digits).not.toContain("1234");
      expect(state.bodyHtml).toBe(
        "<p>当事人张某，身份证号<span>110105</span><b>********</b>002X。</p>",
      );
      expect(state.category).toBe("处罚 138 **** 5678");
    }
  });
});

describe("personal data and text hygiene over gRPC", () => {
  it("refuses the same variants with a BadRequest naming each field", async () => {
    const draft = penaltyDraft(PartyKind.PARTY_KIND_LEGAL_PERSON, {
      bodyHtml: "<p>联系人电话<span>138</span>1234<b>5678</b></p>",
      issuingOffice: `深圳海关 ${FULL_WIDTH("110105 19491231 002X")}`,
    });
    const result = await grpcPublish(draft);
    expect(result.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(fieldViolations(result.error).sort()).toEqual([
      "item.body_html personal-data.mobile",
      "item.issuing_office personal-data.id-number",
    ]);
  });

  it("masks a decision about a natural person as HTTP does", async () => {
    const result = await grpcPublish(
      penaltyDraft(PartyKind.PARTY_KIND_NATURAL_PERSON, {
        bodyHtml: "<p>当事人身份证号 110105&nbsp;19491231&nbsp;002X。</p>",
      }),
    );
    expect(result.error).toBeUndefined();
    expect(result.response!.item!.bodyHtml).toBe(
      // The sanitiser writes &nbsp; as the character itself.
      "<p>当事人身份证号 110105\u00a0********\u00a0002X。</p>",
    );
  });

  it("refuses control characters and bidi overrides in a title", async () => {
    const result = await grpcPublish(
      penaltyDraft(PartyKind.PARTY_KIND_LEGAL_PERSON, { title: "处罚\u0007决定\u202egpj.exe" }),
    );
    expect(fieldViolations(result.error).sort()).toEqual([
      "item.title text.bidi-control",
      "item.title text.control-character",
    ]);
  });
});

describe("text hygiene over HTTP", () => {
  it("refuses a title with a line separator or a lone surrogate, and one made of invisible characters", async () => {
    const separator = await api(
      content,
      "POST",
      "/items",
      "alice",
      news({ title: "公告\u2028第二行" }),
    );
    expect(separator.body.violations).toEqual([
      expect.objectContaining({ field: "title", rule: "text.line-separator" }),
    ]);
    const surrogate = await api(
      content,
      "POST",
      "/items",
      "alice",
      `{"kind":"news","title":"公告\\ud800","body":"<p>正文</p>"}`,
    );
    expect(surrogate.body.violations).toEqual([
      expect.objectContaining({ field: "title", rule: "text.lone-surrogate" }),
    ]);
    const invisible = await api(
      content,
      "POST",
      "/items",
      "alice",
      news({ title: "\u200b\u2060\ufeff" }),
    );
    expect(invisible.status).toBe(422);
    expect(invisible.body.violations).toEqual([
      expect.objectContaining({ field: "title", rule: "required" }),
    ]);
  });

  it("lists CDATA, processing instructions and an unfinished tag among the adjustments", async () => {
    const response = await api(
      content,
      "POST",
      "/items",
      "alice",
      news({ body: '<?xml version="1.0"?><p>正文<![CDATA[ 隐藏 ]]></p><span class="x' }),
    );
    expect(response.status).toBe(201);
    const rules = (response.body.adjustments as Array<{ rule: string }>).map((a) => a.rule);
    expect(rules).toEqual([
      "html.stripped.processing-instruction",
      "html.stripped.cdata",
      "html.stripped.unclosed-tag",
    ]);
  });

  it("takes images only from the configured hosts", async () => {
    const external = await api(
      content,
      "POST",
      "/items",
      "alice",
      news({ body: '<p><img src="https://evil.example/x.png"></p>' }),
    );
    expect(external.status).toBe(422);
    expect(external.body.violations).toEqual([
      expect.objectContaining({ field: "body", rule: "html.image-host" }),
    ]);
    expect(external.body.violations![0]!.message).toContain("img.customs.gov.cn");
    const allowed = await api(
      content,
      "POST",
      "/items",
      "alice",
      news({ body: '<p><img src="https://img.customs.gov.cn/a.png" alt="图"></p>' }),
    );
    expect(allowed.status).toBe(201);
  });
});
