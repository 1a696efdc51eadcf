import { useTestNamespace, waitFor } from "@herald/test-harness";
import { XSS_PAYLOADS } from "../src/validation/xss-payloads";
import type { ContentService } from "../src/service";
import { api, startContent, TopicReader } from "./support";

const ns = useTestNamespace("content-validation");
let content: ContentService;
const topic = new TopicReader(ns);

beforeAll(async () => {
  content = await startContent(ns);
  await topic.start();
});
ns.beforeCleanup(async () => {
  await topic.stop();
  await content.stop();
});

/** The sample ID number published with the national standard: its check character is X. */
const ID_NUMBER = "11010519491231002X";
/** The same 18 digits with a wrong check digit: not an ID number, so it must pass. */
const NOT_AN_ID = "110105194912310021";

const news = (extra: Record<string, unknown> = {}) => ({
  kind: "news",
  title: "口岸通关时效公告",
  body: "<p>本季度口岸整体通关时间继续压缩。</p>",
  ...extra,
});

const penalty = (partyKind: string, extra: Record<string, unknown> = {}) => ({
  id: `penalty-${partyKind}-${Math.random().toString(36).slice(2, 8)}`,
  kind: "administrative-penalty",
  title: "行政处罚决定书（走私普通货物）",
  body: `<p>当事人张某（身份证号 ${ID_NUMBER}，联系电话 13812345678）申报不实。</p>`,
  penalty: {
    decisionNumber: "广关缉违字〔2016〕12号",
    party: { name: "张某", kind: partyKind, identifier: ID_NUMBER },
    legalBasis: "《中华人民共和国海关行政处罚实施条例》第十五条",
    decisionDate: "2016-05-10",
    penalty: "罚款人民币2万元",
  },
  ...extra,
});

/** Publishes a harmless item and waits for it: anything sent before it has been relayed too. */
async function sentinel(): Promise<void> {
  const published = await api(content, "POST", "/publish", "admin", news({ title: "哨兵" }));
  await topic.waitFor(published.body.id as string, 1);
}

describe("validation at the boundary", () => {
  it("names each missing required field of a penalty decision", async () => {
    const response = await api(content, "POST", "/items", "alice", {
      kind: "administrative-penalty",
      title: "处罚决定",
      penalty: { party: { name: "某公司" } },
    });
    expect(response.status).toBe(422);
    expect(response.body.violations!.map((v) => `${v.field} ${v.rule}`).sort()).toEqual([
      "penalty.decisionDate required",
      "penalty.decisionNumber required",
      "penalty.legalBasis required",
      "penalty.party.kind required",
    ]);
  });

  it("requires an interpretation to name a published policy document", async () => {
    const response = await api(content, "POST", "/items", "alice", {
      kind: "policy-interpretation",
      title: "解读",
      body: "<p>解读正文</p>",
      related: [{ relation: "interprets", itemId: "no-such-document" }],
    });
    expect(response.status).toBe(422);
    expect(response.body.violations).toEqual([
      expect.objectContaining({ field: "related.0.itemId", rule: "published-policy-document" }),
    ]);
  });

  it("refuses every XSS payload with the body's field path, and nothing reaches the topic", async () => {
    const before = topic.messages.length;
    for (const payload of XSS_PAYLOADS) {
      const response = await api(
        content,
        "POST",
        "/publish",
        "admin",
        news({ body: payload.html }),
      );
      expect({ payload: payload.name, status: response.status }).toEqual({
        payload: payload.name,
        status: 422,
      });
      const rules = response.body.violations!.filter((v) => v.field === "body").map((v) => v.rule);
      expect(rules).toContain(payload.rule);
    }
    await sentinel();
    expect(topic.messages.length).toBe(before + 1);
  });

  it("strips harmless markup outside the list and says what it stripped", async () => {
    const response = await api(
      content,
      "POST",
      "/items",
      "alice",
      news({ body: '<p style="color:red" data-x="1">文字<font face="宋体">字体</font></p>' }),
    );
    expect(response.status).toBe(201);
    const draft = response.body.item!.draft as { fields: { body: string } };
    expect(draft.fields.body).toBe("<p>文字字体</p>");
    const rules = (response.body.adjustments as Array<{ rule: string }>).map((a) => a.rule).sort();
    expect(rules).toEqual([
      "html.stripped.attribute",
      "html.stripped.element",
      "html.stripped.style",
    ]);
  });

  it("refuses an unmasked ID number in a news item, naming the field and the span", async () => {
    const body = `<p>联系人身份证号${ID_NUMBER}</p>`;
    const response = await api(content, "POST", "/publish", "admin", news({ body }));
    expect(response.status).toBe(422);
    const violation = response.body.violations![0]!;
    expect(violation).toMatchObject({
      field: "body",
      rule: "personal-data.id-number",
      excerpt: ID_NUMBER,
    });
    const start = body.indexOf(ID_NUMBER);
    expect(violation.message).toContain(`characters ${start}-${start + 18}`);

    const mobile = await api(
      content,
      "POST",
      "/items",
      "alice",
      news({ summary: "电话 138-1234-5678" }),
    );
    expect(mobile.body.violations![0]).toMatchObject({
      field: "summary",
      rule: "personal-data.mobile",
    });
  });

  it("lets an 18-digit number with a wrong check digit through", async () => {
    const response = await api(
      content,
      "POST",
      "/publish",
      "admin",
      news({ body: `<p>报关单号${NOT_AN_ID}</p>` }),
    );
    expect(response.status).toBe(201);
    const state = await topic.waitFor(response.body.id as string, 1);
    expect(state.bodyHtml).toContain(NOT_AN_ID);
  });

  it("masks personal data in a penalty decision about a natural person and records it", async () => {
    const response = await api(content, "POST", "/publish", "admin", penalty("natural-person"));
    expect(response.status).toBe(201);
    const adjustments = response.body.adjustments as Array<{ field: string; rule: string }>;
    expect(adjustments.map((a) => `${a.field} ${a.rule}`).sort()).toEqual([
      "body personal-data.masked.id-number",
      "body personal-data.masked.mobile",
      "penalty.party.identifier personal-data.masked.id-number",
    ]);
    const state = await topic.waitFor(response.body.id as string, 1);
    const encoded = JSON.stringify(state);
    expect(encoded).not.toContain(ID_NUMBER);
    expect(encoded).not.toContain("13812345678");
    expect(state.bodyHtml).toContain("110105********002X");
    expect(state.bodyHtml).toContain("138****5678");
    expect(state.details?.$case === "penalty" && state.details.value.party?.identifier).toBe(
      "110105********002X",
    );
    const audit = await api(content, "GET", `/items/${response.body.id as string}/audit`, "alice");
    const first = (audit.body.audit as Array<{ adjustments?: unknown[] }>)[0]!;
    expect(first.adjustments).toHaveLength(3);
  });

  it("refuses the same data in a penalty decision about a company", async () => {
    const response = await api(content, "POST", "/publish", "admin", penalty("legal-person"));
    expect(response.status).toBe(422);
    expect(response.body.violations!.map((v) => v.field).sort()).toEqual([
      "body",
      "body",
      "penalty.party.identifier",
    ]);
  });
});

describe("the disclosure gate", () => {
  it("keeps WITHHELD and ON_REQUEST items off the topic and lists them when their review is due", async () => {
    const ids: string[] = [];
    for (const disclosure of ["withheld", "on-request"]) {
      const response = await api(content, "POST", "/publish", "admin", {
        ...news({ title: `不予公开 ${disclosure}`, disclosure }),
        // Personal data is not checked for items that never leave.
        summary: `内部联系人 13812345678`,
      });
      expect(response.status).toBe(201);
      expect((response.body.item as { current: { disclosed: boolean } }).current.disclosed).toBe(
        false,
      );
      ids.push(response.body.id as string);
    }
    await sentinel();
    await waitFor(() => topic.messages.length > 0);
    expect(topic.messages.filter((m) => ids.includes(m.key))).toEqual([]);

    // Review is due after the default interval; nothing is due today.
    const now = await api(content, "GET", "/reviews/due", "carol");
    expect((now.body.items as Array<{ id: string }>).map((i) => i.id)).not.toContain(ids[0]);
    const later = await api(content, "GET", `/reviews/due?before=2099-01-01T00:00:00Z`, "carol");
    expect((later.body.items as Array<{ id: string }>).map((i) => i.id)).toEqual(
      expect.arrayContaining(ids),
    );

    // A review sets the next due date and is audited.
    const reviewed = await api(content, "POST", `/items/${ids[0]!}/disclosure-review`, "carol", {
      nextReviewAt: "2098-01-01T00:00:00+08:00",
      note: "仍涉及商业秘密，继续不予公开",
    });
    expect(reviewed.status).toBe(200);
    const after = await api(content, "GET", `/reviews/due?before=2097-12-31T00:00:00Z`, "carol");
    expect((after.body.items as Array<{ id: string }>).map((i) => i.id)).not.toContain(ids[0]);

    // A published proactive item may not quietly become withheld.
    const item = await api(
      content,
      "PATCH",
      `/items/${(await api(content, "POST", "/publish", "admin", news())).body.id as string}`,
      "alice",
      {
        disclosure: "withheld",
      },
    );
    expect(item.status).toBe(409);
    expect(item.body.rule).toBe("workflow.disclosure");
  });
});
