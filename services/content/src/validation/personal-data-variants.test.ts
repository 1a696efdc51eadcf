import { findPersonalData, maskPersonalData, type PersonalDataKind } from "./personal-data";

/**
 * The forms in which an outside probe got personal data past the matcher, and the
 * look-alikes that must still pass. Each row is written as an editor would
 * (or could) write it; `html` rows are item bodies.
 */

/** The sample ID number published with the national standard. */
const ID = "11010519491231002X";
/** A first-generation ID number: Beijing Dongcheng, born 1 January 1970, sequence 123. */
const OLD_ID = "110101700101123";
const MOBILE = "13812345678";

const FULL_WIDTH = (text: string) =>
  text.replace(/[0-9X]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0));

interface Row {
  name: string;
  text: string;
  html?: boolean;
  /** What must be found, as [kind, the text as written]. */
  found: Array<[PersonalDataKind, string]>;
}

const FOUND: Row[] = [
  { name: "ID, plain", text: `身份证${ID}。`, found: [["id-number", ID]] },
  {
    name: "ID, spaces 6-8-4",
    text: "身份证 110105 19491231 002X。",
    found: [["id-number", "110105 19491231 002X"]],
  },
  {
    name: "ID, hyphens",
    text: "110105-1949-1231-002X",
    found: [["id-number", "110105-1949-1231-002X"]],
  },
  {
    name: "ID, dots",
    text: "110.105.194.912.310.02X",
    found: [["id-number", "110.105.194.912.310.02X"]],
  },
  {
    name: "ID, irregular groups",
    text: "号码1101 05194 9123 1002X号",
    found: [["id-number", "1101 05194 9123 1002X"]],
  },
  {
    name: "ID, full-width digits",
    text: `证件${FULL_WIDTH(ID)}`,
    found: [["id-number", FULL_WIDTH(ID)]],
  },
  {
    name: "ID, full-width hyphens and dots",
    text: "110105－19491231．002X",
    found: [["id-number", "110105－19491231．002X"]],
  },
  {
    name: "ID, zero-width spaces",
    text: "1101\u200b0519491\u200c231\u200d002X",
    found: [["id-number", "1101\u200b0519491\u200c231\u200d002X"]],
  },
  {
    name: "ID, no-break and ideographic spaces",
    text: "110105\u00a019491231\u3000002X",
    found: [["id-number", "110105\u00a019491231\u3000002X"]],
  },
  {
    name: "ID, word joiner, BOM, soft hyphen",
    text: "110105\u206019491231\ufeff00\u00ad2X",
    found: [["id-number", "110105\u206019491231\ufeff00\u00ad2X"]],
  },
  {
    name: "ID, split across <span>",
    html: true,
    text: "<p>证号<span>110105</span><span>19491231</span>002X</p>",
    found: [["id-number", "110105</span><span>19491231</span>002X"]],
  },
  {
    name: "ID, split across <b> and <em>",
    html: true,
    text: "<p><b>1101051949</b><em>1231002X</em></p>",
    found: [["id-number", "1101051949</b><em>1231002X"]],
  },
  {
    name: "ID, &nbsp; and &#8203; in a body",
    html: true,
    text: "<p>110105&nbsp;19491231&#8203;002X</p>",
    found: [["id-number", "110105&nbsp;19491231&#8203;002X"]],
  },
  {
    name: "ID, line break in the HTML source",
    html: true,
    text: "<p>110105\n19491231 002X</p>",
    found: [["id-number", "110105\n19491231 002X"]],
  },
  { name: "old 15-digit ID", text: `旧证${OLD_ID}`, found: [["id-number", OLD_ID]] },
  {
    name: "old 15-digit ID, grouped",
    text: "110101 700101 123",
    found: [["id-number", "110101 700101 123"]],
  },
  { name: "mobile, dots", text: "电话138.1234.5678", found: [["mobile", "138.1234.5678"]] },
  {
    name: "mobile, irregular groups",
    text: "电话 13 812 345 678",
    found: [["mobile", "13 812 345 678"]],
  },
  {
    name: "mobile, full-width",
    text: `电话${FULL_WIDTH(MOBILE)}`,
    found: [["mobile", FULL_WIDTH(MOBILE)]],
  },
  {
    name: "mobile, zero-width space",
    text: "138\u200b1234\u200b5678",
    found: [["mobile", "138\u200b1234\u200b5678"]],
  },
  {
    name: "mobile, no-break spaces",
    text: "+86\u00a0138\u00a01234\u00a05678",
    found: [["mobile", "+86\u00a0138\u00a01234\u00a05678"]],
  },
  { name: "mobile, en dashes", text: "138–1234–5678", found: [["mobile", "138–1234–5678"]] },
  {
    name: "mobile, split across <span>",
    html: true,
    text: "<p>138<span>1234</span>5678</p>",
    found: [["mobile", "138<span>1234</span>5678"]],
  },
  {
    name: "mobile, digits as character references",
    html: true,
    text: "<p>&#49;3812345678</p>",
    found: [["mobile", "&#49;3812345678"]],
  },
  {
    name: "card, dots",
    text: "卡号6222.0212.3456.7894",
    found: [["bank-card", "6222.0212.3456.7894"]],
  },
  {
    name: "card, irregular groups",
    text: "卡号 622 20212 345 67894",
    found: [["bank-card", "622 20212 345 67894"]],
  },
  {
    name: "card, full-width with full-width spaces",
    text: "６２２２　０２１２　３４５６　７８９４",
    found: [["bank-card", "６２２２　０２１２　３４５６　７８９４"]],
  },
  {
    name: "card, split across <strong>",
    html: true,
    text: "<p><strong>62220212</strong>34567894</p>",
    found: [["bank-card", "62220212</strong>34567894"]],
  },
  {
    name: "mobile across lines of a plain-text summary",
    text: "咨询电话：\n138\n1234 5678",
    found: [["mobile", "138\n1234 5678"]],
  },
  {
    name: "mobile in a tel: link",
    html: true,
    text: '<p><a href="tel:+86-138-1234-5678">电话</a></p>',
    found: [["mobile", "+86-138-1234-5678"]],
  },
  {
    name: "ID in an image's alt text, as references",
    html: true,
    text: '<p><img alt="证件 110105 19491231 002&#88;" src="x.png"></p>',
    found: [["id-number", "110105 19491231 002&#88;"]],
  },
  {
    name: "mobile in a title attribute and in the text",
    html: true,
    text: '<p><abbr title="13812345678">电话</abbr>13912345678</p>',
    found: [
      ["mobile", "13812345678"],
      ["mobile", "13912345678"],
    ],
  },
  {
    name: "a number after a date in the same run",
    text: "2016 12 13812345678",
    found: [["mobile", MOBILE]],
  },
  {
    name: "a grouped ID then a mobile in one run",
    text: "110105 19491231 002X 138 1234 5678",
    found: [
      ["id-number", "110105 19491231 002X"],
      ["mobile", "138 1234 5678"],
    ],
  },
  {
    name: "a mobile then a grouped ID in one run",
    text: "138 1234 5678 110105 19491231 002X",
    found: [["id-number", "110105 19491231 002X"]],
  },
  {
    name: "a grouped ID among other figures",
    text: "编号 12 110105 19491231 002X",
    found: [["id-number", "110105 19491231 002X"]],
  },
];

const PASS: Row[] = [
  { name: "unified social credit code", text: "统一社会信用代码91310000MA1FL1234X", found: [] },
  {
    name: "unified social credit code, all digits",
    text: "统一社会信用代码 913101151322046205",
    found: [],
  },
  { name: "decision number", text: "沪关缉违字〔2016〕12号", found: [] },
  { name: "document number", text: "署办发〔2016〕30号", found: [] },
  { name: "long numeric document number", text: "报关单号220120161234567890", found: [] },
  { name: "customs declaration number, grouped", text: "报关单 5316 2024 1000 1234 56", found: [] },
  { name: "date with hyphens", text: "2016-01-01", found: [] },
  { name: "date as digits", text: "20160101", found: [] },
  { name: "dates in a row", text: "2016-01-01 2016-12-31 2017-01-01", found: [] },
  { name: "amount", text: "罚款1,234,567.89 元", found: [] },
  { name: "amount in full-width", text: "罚款１，２３４，５６７．８９元", found: [] },
  { name: "18-digit ID with a wrong check digit", text: "110105194912310021", found: [] },
  { name: "wrong check digit, grouped", text: "110105 19491231 0021", found: [] },
  {
    name: "wrong check digit, split across <span>",
    html: true,
    text: "<p>110105<span>194912310021</span></p>",
    found: [],
  },
  { name: "15 digits with an impossible date", text: "110101701301123", found: [] },
  { name: "15 digits with an unknown region", text: "990101700101123", found: [] },
  { name: "mobile split by a paragraph", html: true, text: "<p>138</p><p>12345678</p>", found: [] },
  { name: "mobile split by <br>", html: true, text: "<p>138 1234<br>5678</p>", found: [] },
  {
    name: "circled and superscript digits are not digits",
    text: "①3812345678 ¹3812345678",
    found: [],
  },
  { name: "landline", text: "电话021-12345678", found: [] },
  { name: "index number", text: "索引号000014349/2016-00123", found: [] },
];

describe("findPersonalData: a number as a reader sees it", () => {
  it.each(FOUND)("finds $name", ({ text, html, found }) => {
    const matches = findPersonalData(text, { html: html ?? false });
    expect(matches.map((m) => [m.kind, m.text])).toEqual(found);
    for (const m of matches) expect(text.slice(m.start, m.end)).toBe(m.text);
  });

  it.each(PASS)("lets $name pass", ({ text, html }) => {
    expect(findPersonalData(text, { html: html ?? false })).toEqual([]);
  });

  it("does not flatten markup in a plain-text field", () => {
    expect(findPersonalData("138<span>1234</span>5678")).toEqual([]);
  });
});

describe("findPersonalData: many numbers in one text", () => {
  it("finds every one of 20,000 mobiles and masks them all", () => {
    const text = "电话13812345678，".repeat(20_000);
    expect(findPersonalData(text)).toHaveLength(20_000);
    expect(maskPersonalData(text).text).toBe("电话138****5678，".repeat(20_000));
  });
});

describe("maskPersonalData: masks where the digits were written", () => {
  it("masks a split, full-width and entity-written number, keeping the markup", () => {
    const body =
      "<p>证号<span>110105</span>１９４９1231<b>002X</b>，电话&#49;38&nbsp;1234&nbsp;5678</p>";
    const result = maskPersonalData(body, { html: true });
    expect(result.text).toBe(
      "<p>证号<span>110105</span>********<b>002X</b>，电话&#49;38&nbsp;****&nbsp;5678</p>",
    );
    expect(result.masked.map((m) => m.kind)).toEqual(["id-number", "mobile"]);
    expect(result.masked[0]!.replacement).toBe("110105</span>********<b>002X");
  });

  it("masks numbers in attribute values, keeping the tag", () => {
    const body = '<p><a href="tel:13812345678" title="身份证110105 19491231 002X">电话</a></p>';
    expect(maskPersonalData(body, { html: true }).text).toBe(
      '<p><a href="tel:138****5678" title="身份证110105 ******** 002X">电话</a></p>',
    );
  });

  it("masks the birth date of an old 15-digit ID number", () => {
    expect(maskPersonalData(`旧证 ${OLD_ID}`).text).toBe("旧证 110101******123");
  });

  it("masks invisible-separated digits and leaves the invisible characters", () => {
    expect(maskPersonalData("138\u200b1234\u200b5678").text).toBe("138\u200b****\u200b5678");
  });
});
