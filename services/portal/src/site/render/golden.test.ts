/**
 * Golden output of a small fixture page. After an intended change to the
 * templates or views, refresh the files with
 *
 *   UPDATE_GOLDEN=1 npx jest --selectProjects unit --testPathPatterns services/portal/src/site/render
 *
 * and review the diff of __golden__/ like any other change. The files end in
 * .golden, not .html, so that Prettier leaves the exact output alone.
 */
import { join } from "node:path";
import { ItemKind, Relation } from "@herald/contracts";
import { STANDARD_DISPLAY } from "@herald/web";
import { expectGolden as expectGoldenIn } from "@herald/web/testing";
import { Pages } from "../pages";
import { createPortalIndex } from "../portal-index";
import { makeItem } from "../test-support";
import { createRenderer } from "./renderer";

const GOLDEN_DIR = join(__dirname, "__golden__");

const expectGolden = (name: string, html: string) => expectGoldenIn(GOLDEN_DIR, name, html);

function pages() {
  const index = createPortalIndex();
  index.put(
    makeItem({
      id: "golden-doc",
      kind: ItemKind.ITEM_KIND_POLICY_DOCUMENT,
      title: "关于加强知识库管理的通知",
      summary: "明确知识库的编写、审核和更新责任。",
      bodyHtml: "<h2>一、明确职责</h2><p>各单位负责本领域知识条目的编写和审核。</p>",
      category: "政策文件",
      tags: ["12360", "知识库"],
      documentNumber: "署办发〔2016〕41号",
      indexNumber: "000014672/2016-00041",
      attachments: [
        {
          name: "知识条目模板.docx",
          url: "/files/t.docx",
          mediaType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          sizeBytes: 13312,
        },
      ],
      dates: {
        formedAt: new Date("2016-08-15T00:00:00+08:00"),
        publishedAt: new Date("2016-08-16T10:00:00+08:00"),
        effectiveAt: new Date("2016-09-01T00:00:00+08:00"),
      },
    }),
  );
  index.put(
    makeItem({
      id: "golden-interpretation",
      kind: ItemKind.ITEM_KIND_POLICY_INTERPRETATION,
      title: "《关于加强知识库管理的通知》解读",
      category: "政策解读",
      related: [{ relation: Relation.RELATION_INTERPRETS, itemId: "golden-doc" }],
      dates: { publishedAt: new Date("2016-08-17T10:00:00+08:00") },
    }),
  );
  return new Pages(
    index,
    { name: "海关总署政府信息公开", baseUrl: "https://www.example.gov.cn" },
    createRenderer(),
  );
}

const request = (path: string) => ({ path, display: STANDARD_DISPLAY, query: () => "" });

describe("golden pages", () => {
  it("item page", () => {
    expectGolden(
      "item-page.golden",
      pages().item(request("/items/golden-doc"), "golden-doc").html ?? "",
    );
  });

  it("search page", () => {
    const p = pages();
    const html =
      p.search({ ...request("/search?q=知识库"), query: (name) => (name === "q" ? "知识库" : "") })
        .html ?? "";
    expectGolden("search-page.golden", html);
  });
});
