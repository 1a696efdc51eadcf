import { ItemKind } from "@herald/contracts";

/** A kind of item as the website names it: URL slug and Chinese column name. */
export interface KindInfo {
  readonly kind: ItemKind;
  readonly slug: string;
  readonly name: string;
}

/**
 * WARNING: the slugs are public URLs (`/kinds/<slug>`); never change one.
 */
export const KINDS: readonly KindInfo[] = [
  { kind: ItemKind.ITEM_KIND_NEWS, slug: "news", name: "工作动态" },
  { kind: ItemKind.ITEM_KIND_POLICY_DOCUMENT, slug: "policy-document", name: "政策文件" },
  {
    kind: ItemKind.ITEM_KIND_POLICY_INTERPRETATION,
    slug: "policy-interpretation",
    name: "政策解读",
  },
  {
    kind: ItemKind.ITEM_KIND_ADMINISTRATIVE_LICENCE,
    slug: "administrative-licence",
    name: "行政许可",
  },
  {
    kind: ItemKind.ITEM_KIND_ADMINISTRATIVE_PENALTY,
    slug: "administrative-penalty",
    name: "行政处罚",
  },
  {
    kind: ItemKind.ITEM_KIND_POWER_RESPONSIBILITY_ENTRY,
    slug: "power-responsibility-entry",
    name: "权责清单",
  },
  { kind: ItemKind.ITEM_KIND_SERVICE_GUIDE, slug: "service-guide", name: "办事指南" },
  { kind: ItemKind.ITEM_KIND_NOTICE, slug: "notice", name: "通知公告" },
  { kind: ItemKind.ITEM_KIND_HOTLINE_QA, slug: "hotline-qa", name: "热线问答" },
  { kind: ItemKind.ITEM_KIND_CONSULTATION_DRAFT, slug: "consultation-draft", name: "征求意见" },
];

const BY_SLUG = new Map(KINDS.map((k) => [k.slug, k]));
const BY_KIND = new Map(KINDS.map((k) => [k.kind, k]));

/** The kind a URL slug names, if any. */
export function kindBySlug(slug: string): KindInfo | undefined {
  return BY_SLUG.get(slug);
}

/** The website's name for a kind; unknown kinds read as 其他. */
export function kindInfo(kind: ItemKind): KindInfo | undefined {
  return BY_KIND.get(kind);
}

/**
 * The disclosure catalogue's columns in the order the catalogue lists them;
 * categories outside this list follow in code point order.
 */
export const CATALOGUE_ORDER: readonly string[] = [
  "政务公开",
  "政策文件",
  "政策解读",
  "权责清单",
  "行政许可",
  "行政处罚",
  "办事指南",
  "通知公告",
  "热线问答",
  "工作动态",
  "征求意见",
];

/** The two kinds of the 双公示 ("double publicity") listing. */
export const DOUBLE_PUBLICITY_KINDS: readonly ItemKind[] = [
  ItemKind.ITEM_KIND_ADMINISTRATIVE_LICENCE,
  ItemKind.ITEM_KIND_ADMINISTRATIVE_PENALTY,
];
