import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../stack/settings";
import { policyDocumentFromText, removePinyinArtifacts, SEED_POLICY_ID } from "./seed";

const examples = join(repoRoot(), "examples");

describe("removePinyinArtifacts", () => {
  it("drops toned pinyin in parentheses after a Han character and keeps everything else", () => {
    expect(removePinyinArtifacts("印發(fā)《要點》的通知")).toBe("印發《要點》的通知");
    expect(removePinyinArtifacts("創(chuàng)新、統(tǒng)計、業(yè)務")).toBe("創新、統計、業務");
    expect(removePinyinArtifacts("（中辦發(fā)〔2016〕8號)")).toBe("（中辦發〔2016〕8號)");
    expect(removePinyinArtifacts("(中辦發〔2016〕8號)")).toBe("(中辦發〔2016〕8號)");
    expect(removePinyinArtifacts("第(a)項、x(fā)、海關(de)、海關(Fā)")).toBe(
      "第(a)項、x(fā)、海關(de)、海關(Fā)",
    );
  });

  it("leaves none in the seed work plan copied into examples/seed", () => {
    const text = readFileSync(join(examples, "seed", `${SEED_POLICY_ID}.txt`), "utf8");
    expect(removePinyinArtifacts(text)).toBe(text);
    expect(text).not.toMatch(/\p{Script=Han}\([a-zü\u00e0-\u01dc]+\)/u);
    expect(text).toContain("(中辦發〔2016〕8號)");
  });
});

describe("policyDocumentFromText", () => {
  it("makes the work plan a policy document: title, document number, headings and paragraphs", () => {
    const text = readFileSync(join(examples, "seed", `${SEED_POLICY_ID}.txt`), "utf8");
    const item = policyDocumentFromText(text);
    expect(item).toMatchObject({
      id: "customs-disclosure-2016",
      kind: "policy-document",
      title: "海關總署辦公廳關于印發《2016年海關政務公開工作要點》的通知",
      documentNumber: "署辦發〔2016〕30號",
      issuingOffice: "海关总署办公厅",
    });
    const body = item.body as string;
    const blocks = body.split("\n");
    expect(blocks[0]).toMatch(/^<p>主送機關: 廣東分署.+單位:<\/p>$/);
    expect(blocks.filter((b) => b.startsWith("<h2>"))).toEqual([
      "<h2>2016年海關政務公開工作要點</h2>",
      "<h2>一、重點公開海關圍繞中心工作全面履職的信息</h2>",
      "<h2>二、推進行政執法公示制度,強化權力公開透明運行</h2>",
      "<h2>三、推進海關政務服務公開,提升服務能力</h2>",
      "<h2>四、擴大公眾參與范圍,加強主動解讀回應</h2>",
      "<h2>五、加強政務公開能力建設</h2>",
    ]);
    expect(blocks.every((b) => /^<(p|h2)>[^<>]+<\/\1>$/.test(b))).toBe(true);
    expect(body).not.toContain(item.title as string);
  });

  it("escapes markup in the text", () => {
    const item = policyDocumentFromText(
      "標題\n署辦發〔2016〕1號\n<b>一</b> & “二”，以及更多的文字使這一行成為一個段落而不是標題。\n",
    );
    expect(item.body).toBe(
      "<p>&lt;b&gt;一&lt;/b&gt; &amp; “二”，以及更多的文字使這一行成為一個段落而不是標題。</p>",
    );
  });
});

describe("the demo penalty", () => {
  it("carries a mainland ID number with a correct ISO 7064 MOD 11-2 check character", () => {
    const file = JSON.parse(
      readFileSync(join(examples, "items", "administrative-penalty.json"), "utf8"),
    ) as { penalty: { party: { identifier: string } } };
    const id = file.penalty.party.identifier;
    const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const sum = weights.reduce((total, weight, i) => total + weight * Number(id[i]), 0);
    expect(id).toMatch(/^\d{17}[\dX]$/);
    expect(id[17]).toBe("10X98765432"[sum % 11]);
  });
});
