import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CommandError } from "./errors";
import { type ItemInput, readItemFile } from "./item-file";

/** WARNING: other items relate to this id (examples/items/policy-interpretation.md); never change it. */
export const SEED_POLICY_ID = "customs-disclosure-2016";

/** The demo items after the policy document, in publication order; each has a fixed id. */
export const SEED_ITEM_FILES = [
  "policy-interpretation.md",
  "administrative-penalty.json",
  "notice.md",
  "hotline-qa.md",
] as const;

// Lower-case pinyin with at least one tone mark, e.g. "(fā)" or "(zhèn)".
const TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ";
const PINYIN_ARTIFACT = new RegExp(
  `(\\p{Script=Han})\\([a-zü${TONED}]*[${TONED}][a-zü${TONED}]*\\)`,
  "gu",
);

/**
 * Removes the pinyin a script conversion left in parentheses after some Han
 * characters (`發(fā)` → `發`); genuine parentheses, which never hold bare
 * toned pinyin, stay.
 */
export function removePinyinArtifacts(text: string): string {
  return text.replace(PINYIN_ARTIFACT, "$1");
}

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/** A short line without sentence punctuation is a heading; every other line a paragraph. */
function isHeading(line: string): boolean {
  return line.length <= 40 && !/[。；;:：]/.test(line);
}

/**
 * The seed work plan as a policy document: its first line is the title (the
 * source repeats it), then the document number, then the text, whose headings
 * become <h2> and whose other lines become paragraphs.
 */
export function policyDocumentFromText(text: string): ItemInput {
  const lines = removePinyinArtifacts(text)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const title = lines[0];
  const numberAt = lines.findIndex((line) => /〔\d{4}〕\d+號$/.test(line));
  if (!title || numberAt < 0) {
    throw new CommandError("the seed work plan has no title line or no document number");
  }
  const body = lines
    .slice(numberAt + 1)
    .map((line) => {
      const tag = isHeading(line) ? "h2" : "p";
      return `<${tag}>${escapeHtml(line)}</${tag}>`;
    })
    .join("\n");
  return {
    id: SEED_POLICY_ID,
    kind: "policy-document",
    title,
    summary:
      "海关总署办公厅印发2016年海关政务公开工作要点，部署重点领域信息公开、行政执法公示、政务服务公开、公众参与和解读回应、政务公开能力建设五方面工作。",
    body,
    category: "政务公开",
    tags: ["政务公开", "工作要点"],
    issuingOffice: "海关总署办公厅",
    documentNumber: lines[numberAt],
  };
}

/** The demo items in publication order: the policy document first, as the interpretation needs it. */
export async function seedItems(examplesDir: string): Promise<ItemInput[]> {
  const workPlan = join(examplesDir, "seed", `${SEED_POLICY_ID}.txt`);
  let text: string;
  try {
    text = readFileSync(workPlan, "utf8");
  } catch {
    throw new CommandError(`cannot read the seed work plan ${workPlan}`);
  }
  return [
    policyDocumentFromText(text),
    ...(await Promise.all(
      SEED_ITEM_FILES.map((file) => readItemFile(join(examplesDir, "items", file))),
    )),
  ];
}
