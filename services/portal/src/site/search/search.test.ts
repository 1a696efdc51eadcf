import { ItemKind, ItemStatus, TakedownKind } from "@herald/contracts";
import { createPortalIndex } from "../portal-index";
import { makeItem, seedInterpretation, seedWorkPlan } from "../test-support";
import { foldText, htmlToText } from "./fold";
import { analyzeQuery } from "./segment";
import { hanKey } from "./tokens";
import { highlight, snippet } from "./snippet";

function ids(index: ReturnType<typeof createPortalIndex>, q: string, options = {}): string[] {
  return index.search(q, { offset: 0, limit: 20, ...options }).items.map((i) => i.id);
}

describe("folding", () => {
  it("maps traditional to simplified, full-width to ASCII, upper to lower case, keeping length", () => {
    const text = "海關總署辦公廳「雙公示」ＡＰＰ１２３６０ Hotline";
    const folded = foldText(text);
    expect(folded).toBe("海关总署办公厅「双公示」app12360 hotline");
    expect(folded).toHaveLength(text.length);
  });

  it("strips tags, decodes entities and keeps block boundaries", () => {
    expect(
      htmlToText("<h2>一、标题</h2><p>甲&amp;乙 &lt;b&gt;<strong>丙</strong></p><p>丁</p>"),
    ).toBe("一、标题\n甲&乙 <b>丙\n丁");
  });
});

describe("query analysis", () => {
  it("requires every Han pair and number, and boosts whole words", () => {
    const q = analyzeQuery("12360海关热线");
    const pair = (text: string) => hanKey(text.codePointAt(0) ?? 0, text.codePointAt(1));
    expect(q.required).toEqual(["12360", pair("海关"), pair("关热"), pair("热线")]);
    expect(q.phrases).toEqual(["12360海关热线"]);
  });
});

describe("search over the seed work plan", () => {
  const index = createPortalIndex();
  index.put(seedWorkPlan());
  index.put(seedInterpretation());
  index.put(
    makeItem({ id: "unrelated", title: "海关开放日", bodyHtml: "<p>市民走进旅检现场。</p>" }),
  );

  it.each(["双公示", "政务公开工作要点", "12360海关热线", "雙公示", "依托大數據"])(
    "finds the document for %s",
    (q) => {
      expect(ids(index, q)).toContain("customs-disclosure-2016");
    },
  );

  it("finds a six-character phrase copied from the middle of a sentence, in either script", () => {
    // From "…拓寬公眾參與渠道,發揮互聯網優勢,搭建政民互動平臺…"
    expect(ids(index, "發揮互聯網優")).toEqual(["customs-disclosure-2016"]);
    expect(ids(index, "发挥互联网优")).toEqual(["customs-disclosure-2016"]);
  });

  it("finds the document by its document number, first", () => {
    expect(ids(index, "署办发〔2016〕30号")[0]).toBe("customs-disclosure-2016");
  });

  it("answers nothing for words that are not there", () => {
    expect(index.search("不存在的词语", { offset: 0, limit: 20 }).total).toBe(0);
    expect(index.search("", { offset: 0, limit: 20 }).total).toBe(0);
  });

  it("ranks a title match above body matches", () => {
    const ranked = createPortalIndex();
    ranked.put(
      makeItem({
        id: "body",
        title: "工作动态",
        bodyHtml: "<p>关于知识库的说明，知识库建设情况。</p>".repeat(3),
      }),
    );
    ranked.put(
      makeItem({
        id: "title",
        title: "知识库管理办法",
        bodyHtml: "<p>正文内容较长，说明各项要求。</p>".repeat(5),
      }),
    );
    expect(ids(ranked, "知识库")).toEqual(["title", "body"]);
  });

  it("filters by kind and by year of publication (Asia/Shanghai)", () => {
    const filtered = createPortalIndex();
    filtered.put(makeItem({ id: "news-2016", title: "关税政策", kind: ItemKind.ITEM_KIND_NEWS }));
    filtered.put(
      makeItem({
        id: "notice-2017",
        title: "关税政策通知",
        kind: ItemKind.ITEM_KIND_NOTICE,
        // 2016-12-31 17:00 UTC is already 2017 in Beijing.
        dates: { publishedAt: new Date("2016-12-31T17:00:00Z") },
      }),
    );
    expect(ids(filtered, "关税", { kind: ItemKind.ITEM_KIND_NOTICE })).toEqual(["notice-2017"]);
    expect(ids(filtered, "关税", { year: 2017 })).toEqual(["notice-2017"]);
    expect(ids(filtered, "关税", { year: 2016 })).toEqual(["news-2016"]);
    expect(filtered.publicationYears()).toEqual([2017, 2016]);
  });
});

describe("search after changes", () => {
  it("forgets the old words of a replaced version and finds the new ones", () => {
    const index = createPortalIndex();
    index.put(
      makeItem({ id: "a", version: 1, title: "保税仓库设立", bodyHtml: "<p>旧的内容</p>" }),
    );
    index.put(
      makeItem({ id: "a", version: 2, title: "出口退税办理", bodyHtml: "<p>新的内容</p>" }),
    );
    expect(ids(index, "保税仓库")).toEqual([]);
    expect(ids(index, "旧的")).toEqual([]);
    expect(ids(index, "出口退税")).toEqual(["a"]);
  });

  it("drops withdrawn and removed items, keeps expired ones", () => {
    const index = createPortalIndex();
    index.put(makeItem({ id: "w", title: "暂扣物品公告" }));
    index.put(makeItem({ id: "e", title: "暂扣物品办法" }));
    index.put(makeItem({ id: "r", title: "暂扣物品清单" }));
    index.put(
      makeItem({
        id: "w",
        version: 2,
        title: "暂扣物品公告",
        status: ItemStatus.ITEM_STATUS_RETRACTED,
        takedown: { kind: TakedownKind.TAKEDOWN_KIND_WITHDRAWN, publicExplanation: "已撤回" },
      }),
    );
    index.put(
      makeItem({
        id: "e",
        version: 2,
        title: "暂扣物品办法",
        status: ItemStatus.ITEM_STATUS_EXPIRED,
      }),
    );
    index.remove("r");
    expect(ids(index, "暂扣物品")).toEqual(["e"]);
  });

  it("stays correct across rebuilds that renumber documents", () => {
    const index = createPortalIndex();
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < 3000; i += 1) {
        index.put(
          makeItem({
            id: `i${i}`,
            version: round + 1,
            title: `第${round}轮 编号${i}`,
            bodyHtml: `<p>轮次${"甲乙丙"[round]}的正文</p>`,
          }),
        );
      }
    }
    expect(index.search("轮次丙", { offset: 0, limit: 20 }).total).toBe(3000);
    expect(index.search("轮次乙", { offset: 0, limit: 20 }).total).toBe(0);
    expect(ids(index, "编号2999")).toEqual(["i2999"]);
  });
});

describe("search built after a restart", () => {
  const item = (id: string, body: string, status = ItemStatus.ITEM_STATUS_PUBLISHED) =>
    makeItem({ id, status, title: `通知${id}`, bodyHtml: `<p>${body}</p>` });

  it("serves items at once and makes them searchable in the background", async () => {
    const index = createPortalIndex();
    index.deferSearch();
    for (let i = 0; i < 2000; i += 1) index.put(item(`d${i}`, "旅检现场开放"));
    expect(index.get("d1999")?.id).toBe("d1999");
    expect(index.list("all", 0, 1).total).toBe(2000);
    const before = index.search("旅检现场", { offset: 0, limit: 20 });
    expect(before.complete).toBe(false);
    expect(before.total).toBe(0);
    expect(index.searchPending()).toBe(2000);

    const built = index.buildSearch();
    // Put, taken off and removed while the build runs: search ends up as if applied in order.
    index.put(item("late", "旅检现场开放"));
    index.put(item("d0", "新的正文", ItemStatus.ITEM_STATUS_PUBLISHED));
    index.put(item("d1", "旅检现场开放", ItemStatus.ITEM_STATUS_RETRACTED));
    index.remove("d2");
    await built;

    const after = index.search("旅检现场", { offset: 0, limit: 20 });
    expect(after.complete).toBe(true);
    expect(after.total).toBe(2000 - 3 + 1);
    expect(ids(index, "新的正文")).toEqual(["d0"]);
    expect(ids(index, "通知late")).toEqual(["late"]);
    expect(index.searchPending()).toBe(0);
  });
});

describe("highlighting", () => {
  it("marks matches in the original characters, including traditional ones", () => {
    const q = analyzeQuery("双公示");
    expect(highlight("行政處罰信息“雙公示”工作", q.needles)).toEqual([
      { text: "行政處罰信息“", mark: false },
      { text: "雙公示", mark: true },
      { text: "”工作", mark: false },
    ]);
  });

  it("keeps markup-like text as text, to be escaped when rendered", () => {
    const parts = highlight("<script>alert(1)</script> 知识库", analyzeQuery("知识库").needles);
    expect(parts[0]).toEqual({ text: "<script>alert(1)</script> ", mark: false });
  });

  it("cuts a snippet around the first match with ellipses", () => {
    const text = "开头".repeat(100) + "双公示工作" + "结尾".repeat(100);
    const parts = snippet(text, analyzeQuery("双公示").needles, 60);
    expect(parts[0]).toEqual({ text: "…", mark: false });
    expect(parts.find((p) => p.mark)?.text).toBe("双公示");
    expect(parts[parts.length - 1]).toEqual({ text: "…", mark: false });
  });
});
