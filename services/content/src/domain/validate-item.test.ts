import { everyField } from "../validation/every-field";
import { TEXT_FIELDS, type TextField } from "../validation/text-fields";
import { ValidationError, type Violation } from "./errors";
import type { ItemFields } from "./item";
import { type ValidatedItem, validateItem, type ValidationContext } from "./validate-item";

const context: ValidationContext = { lookup: () => Promise.resolve(undefined) };

/** A mobile written with no-break spaces, and one split across inline elements for the body. */
const MOBILE_TEXT = "电话 138\u00a01234\u00a05678";
const MOBILE_BODY = "<p>电话<span>138</span><b>1234</b>5678</p>";

function benign(path: string): string {
  if (path === "body") return "<p>正文</p>";
  if (path.endsWith("sha256")) return "ab".repeat(32);
  return `某${path.replaceAll(".", "-")}`;
}

/** An item of the field's kind with `value` in that one field and harmless text elsewhere. */
function itemWith(field: TextField, value: string, partyKind: "natural-person" | "legal-person") {
  const fields = everyField((path) => (path === field.path ? value : benign(path)));
  if (field.kinds?.includes("administrative-licence")) {
    fields.kind = "administrative-licence";
    delete fields.penalty;
    fields.licence!.holder.kind = partyKind;
  } else {
    delete fields.licence;
    fields.penalty!.party.kind = partyKind;
  }
  return fields;
}

async function outcome(
  fields: Partial<ItemFields>,
  selfId = "item-1",
): Promise<ValidatedItem | readonly Violation[]> {
  try {
    return await validateItem(fields, context, selfId);
  } catch (error) {
    if (error instanceof ValidationError) return error.violations;
    throw error;
  }
}

async function violationsOf(fields: Partial<ItemFields>, selfId?: string) {
  const result = await outcome(fields, selfId);
  return Array.isArray(result) ? (result as Violation[]) : [];
}

const concrete = (field: TextField) => field.path.replaceAll("*", "0");
const piiText = (field: TextField) => (field.html ? MOBILE_BODY : MOBILE_TEXT);

describe("validateItem: personal data in every text field", () => {
  const scanned = TEXT_FIELDS.filter((f) => f.personalData !== "none");

  it.each(scanned.map((f) => [f.path, f] as const))(
    "refuses a mobile in %s of an item about a legal person",
    async (_path, field) => {
      const violations = await violationsOf(itemWith(field, piiText(field), "legal-person"));
      expect(violations).toEqual([
        expect.objectContaining({ field: concrete(field), rule: "personal-data.mobile" }),
      ]);
    },
  );

  it.each(scanned.map((f) => [f.path, f] as const))(
    "masks or refuses as the registry says in %s of a decision about a natural person",
    async (_path, field) => {
      const result = await outcome(itemWith(field, piiText(field), "natural-person"));
      if (field.personalData === "refuse") {
        expect(result).toEqual([
          expect.objectContaining({ field: concrete(field), rule: "personal-data.mobile" }),
        ]);
        return;
      }
      const validated = result as ValidatedItem;
      expect(validated.adjustments).toEqual([
        expect.objectContaining({ field: concrete(field), rule: "personal-data.masked.mobile" }),
      ]);
      const stored = JSON.stringify(validated.fields);
      expect(stored).not.toContain("1234");
      expect(stored).toContain("****");
    },
  );

  it("refuses personal data in the item's id", async () => {
    const field = TEXT_FIELDS.find((f) => f.path === "title")!;
    const violations = await violationsOf(
      itemWith(field, "标题", "natural-person"),
      "p-13812345678",
    );
    expect(violations).toEqual([
      expect.objectContaining({ field: "id", rule: "personal-data.mobile" }),
    ]);
  });

  it("does not scan the attachment's hash, whose format allows only hex", async () => {
    const field = TEXT_FIELDS.find((f) => f.path === "attachments.*.sha256")!;
    const hex = `13812345678${"a".repeat(53)}`;
    expect(await violationsOf(itemWith(field, hex, "legal-person"))).toEqual([]);
  });
});

describe("validateItem: text hygiene in every text field", () => {
  const cases: Array<[string, string]> = [
    ["text.control-character", "甲\u0007乙"],
    ["text.control-character", "甲\u0085乙"],
    ["text.bidi-control", "甲\u202e乙"],
    ["text.bidi-control", "甲\u2066乙\u2069"],
    ["text.bidi-control", "甲\u200f乙"],
    ["text.bidi-control", "甲\u061c乙"],
    ["text.lone-surrogate", "甲\ud800乙"],
    ["text.lone-surrogate", "甲\udc00乙"],
    ["text.line-separator", "甲\u2028乙"],
    ["text.line-separator", "甲\u2029乙"],
  ];

  it.each(TEXT_FIELDS.map((f) => [f.path, f] as const))(
    "refuses each forbidden character in %s, naming the field and the rule",
    async (_path, field) => {
      for (const [rule, value] of cases) {
        const text = field.html ? `<p>${value}</p>` : value;
        const violations = await violationsOf(itemWith(field, text, "legal-person"));
        expect({ value, violations }).toEqual({
          value,
          violations: expect.arrayContaining([
            expect.objectContaining({ field: concrete(field), rule }),
          ]),
        });
      }
    },
  );

  it("refuses the same characters in the body written as character references", async () => {
    const body = TEXT_FIELDS.find((f) => f.path === "body")!;
    for (const [rule, html] of [
      ["text.bidi-control", "<p>甲&#x202E;乙</p>"],
      ["text.bidi-control", '<p><abbr title="&#8238;">甲</abbr></p>'],
      ["text.control-character", "<p>甲&#7;乙</p>"],
      ["text.line-separator", "<p>甲&#8232;乙</p>"],
    ] as const) {
      const violations = await violationsOf(itemWith(body, html, "legal-person"));
      expect({ html, violations }).toEqual({
        html,
        violations: [expect.objectContaining({ field: "body", rule })],
      });
    }
  });

  it("allows tabs and line breaks only in multi-line fields", async () => {
    for (const field of TEXT_FIELDS.filter((f) => f.personalData === "mask")) {
      const violations = await violationsOf(itemWith(field, "甲\t乙\r\n丙", "legal-person"));
      const rules = violations.filter((v) => v.field === concrete(field)).map((v) => v.rule);
      expect({ path: field.path, rules }).toEqual({
        path: field.path,
        rules: field.multiline ? [] : ["text.control-character"],
      });
    }
  });

  it("keeps an astral character, which is a surrogate pair, and says where the bad one is", async () => {
    const field = TEXT_FIELDS.find((f) => f.path === "title")!;
    expect(await violationsOf(itemWith(field, "𠀀𝟏", "legal-person"))).toEqual([]);
    const [violation] = await violationsOf(itemWith(field, "标题\u202e", "legal-person"));
    expect(violation!.message).toContain("U+202E");
    expect(violation!.message).toContain("at character 2");
  });
});

describe("validateItem: a required field made of invisible characters is empty", () => {
  const news = (extra: Partial<ItemFields>): Partial<ItemFields> => ({
    kind: "news",
    title: "标题",
    body: "<p>正文</p>",
    ...extra,
  });

  it.each([
    ["a zero-width title", news({ title: "\u200b\u200c\u200d" })],
    ["a title of BOM, word joiner and no-break space", news({ title: "\ufeff\u2060\u00a0" })],
    ["a title of a Hangul filler", news({ title: "\u3164" })],
  ])("refuses %s as missing", async (_name, fields) => {
    expect(await violationsOf(fields)).toEqual([
      expect.objectContaining({ field: "title", rule: "required" }),
    ]);
  });

  it("refuses a body whose paragraphs show nothing, but not a body with an image", async () => {
    expect(await violationsOf(news({ body: "<p>\u200b&nbsp;</p><p>&#8203;</p>" }))).toEqual([
      expect.objectContaining({ field: "body", rule: "required" }),
    ]);
    const withImage = await validateItem(
      news({ body: '<p><img src="https://img.example/a.png"></p>' }),
      { ...context, imageHosts: ["img.example"] },
    );
    expect(withImage.fields.body).toContain("<img");
  });

  it("refuses an invisible decision number of a penalty", async () => {
    const field = TEXT_FIELDS.find((f) => f.path === "penalty.decisionNumber")!;
    const violations = await violationsOf(itemWith(field, "\u200b", "legal-person"));
    expect(violations).toEqual([
      expect.objectContaining({ field: "penalty.decisionNumber", rule: "required" }),
    ]);
  });
});
