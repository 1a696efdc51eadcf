import { ItemStatus, Relation } from "@herald/contracts";
import { formatChineseDate, formatDate, formatDateTime } from "../dates";
import { kindInfo } from "../kinds";
import { carriesValidity, type PortalItem, presenceOf } from "../model";
import type { PortalIndex } from "../portal-index";
import { formatSize, itemPath, mediaTypeLabel, partyKindName, safeHref } from "./format";
import { absoluteUrl, type Crumb, type MetaTag, type SiteConfig } from "./layout-view";

/** A label and its value in a metadata or details block. */
export interface Row {
  readonly label: string;
  readonly value: string;
}

/** A link to another item. */
export interface ItemRef {
  readonly title: string;
  readonly href: string;
  readonly date: string;
  readonly expired: boolean;
}

/** Everything the item page shows. */
export interface ItemView {
  readonly title: string;
  readonly kindName: string;
  readonly metaRows: readonly Row[];
  readonly validity: string;
  readonly expired: boolean;
  readonly withdrawn: boolean;
  readonly explanation: string;
  readonly bodyHtml: string;
  readonly attachments: readonly {
    name: string;
    href: string | undefined;
    type: string;
    size: string;
  }[];
  readonly penaltyRows: readonly Row[];
  readonly licenceRows: readonly Row[];
  readonly interprets: readonly ItemRef[];
  readonly interpretations: readonly ItemRef[];
  readonly related: readonly (ItemRef & { label: string })[];
  readonly tags: readonly string[];
}

const RELATION_LABEL: Partial<Record<Relation, string>> = {
  [Relation.RELATION_REPLACES]: "替代的文件",
  [Relation.RELATION_REPLACED_BY]: "已被替代为",
  [Relation.RELATION_SEE_ALSO]: "相关链接",
};

function rows(entries: readonly [string, string | number | undefined][]): Row[] {
  const out: Row[] = [];
  for (const [label, value] of entries) {
    if (typeof value === "number") out.push({ label, value: formatChineseDate(value) });
    else if (value) out.push({ label, value });
  }
  return out;
}

/** A link to an item as listings and related-item lists show it. */
export function itemRef(item: PortalItem): ItemRef {
  const time = item.publishedAt ?? item.updatedAt;
  return {
    title: item.shortTitle || item.title,
    href: itemPath(item.id),
    date: time === undefined ? "" : formatDate(time),
    expired: item.status === ItemStatus.ITEM_STATUS_EXPIRED,
  };
}

/** 有效 / 已失效 / 已废止 (withdrawn), or empty where validity means nothing for the kind. */
export function validityOf(item: PortalItem): string {
  if (presenceOf(item).kind === "withdrawn") return "已废止";
  if (item.status === ItemStatus.ITEM_STATUS_EXPIRED) return "已失效";
  return carriesValidity(item.kind) ? "有效" : "";
}

/** The item page's view. A withdrawn item shows its explanation, not its content. */
export function itemView(index: PortalIndex, item: PortalItem): ItemView {
  const withdrawn = presenceOf(item).kind === "withdrawn";
  const penalty = withdrawn ? undefined : item.penalty;
  const licence = withdrawn ? undefined : item.licence;
  const outbound = index.outboundLinks(item);
  return {
    title: item.title,
    kindName: kindInfo(item.kind)?.name ?? "",
    metaRows: rows([
      ["索引号", item.indexNumber],
      ["主题分类", item.category],
      ["发布机构", item.issuingOffice],
      ["文号", item.documentNumber],
      ["成文日期", item.formedAt],
      ["发布日期", item.publishedAt],
      ["生效日期", item.effectiveAt],
      ["失效日期", item.expiresAt],
      ["有效性", validityOf(item)],
    ]),
    validity: validityOf(item),
    expired: item.status === ItemStatus.ITEM_STATUS_EXPIRED,
    withdrawn,
    explanation: withdrawn ? item.takedown?.publicExplanation || "该信息已撤回。" : "",
    bodyHtml: withdrawn ? "" : item.bodyHtml,
    attachments: withdrawn
      ? []
      : item.attachments.map((a) => ({
          name: a.name,
          href: safeHref(a.url),
          type: mediaTypeLabel(a.mediaType),
          size: formatSize(a.sizeBytes),
        })),
    penaltyRows: penalty
      ? rows([
          ["行政处罚决定书文号", penalty.decisionNumber],
          ["当事人", penalty.party?.name],
          ["当事人类型", penalty.party ? partyKindName(penalty.party.kind) : ""],
          ["证件号码", penalty.party?.identifier],
          ["违法事实", penalty.violation],
          ["处罚依据", penalty.legalBasis],
          ["处罚内容", penalty.penalty],
          ["处罚决定日期", penalty.decisionDate],
          ["处罚机关", penalty.decidingOffice],
        ])
      : [],
    licenceRows: licence
      ? rows([
          ["许可决定书文号", licence.licenceNumber],
          ["被许可人", licence.holder?.name],
          ["被许可人类型", licence.holder ? partyKindName(licence.holder.kind) : ""],
          ["统一社会信用代码", licence.holder?.identifier],
          ["许可事项", licence.licensedMatter],
          ["许可决定日期", licence.decisionDate],
          ["有效期自", licence.validFrom],
          ["有效期至", licence.validUntil],
          ["许可机关", licence.licensingOffice],
        ])
      : [],
    interprets: outbound
      .filter((l) => l.relation === Relation.RELATION_INTERPRETS)
      .map((l) => itemRef(l.item)),
    interpretations: index.inboundLinks(item.id, Relation.RELATION_INTERPRETS).map(itemRef),
    related: [
      ...outbound
        .filter((l) => RELATION_LABEL[l.relation] !== undefined)
        .map((l) => ({ ...itemRef(l.item), label: RELATION_LABEL[l.relation] ?? "" })),
      ...index
        .inboundLinks(item.id, Relation.RELATION_REPLACES)
        .map((i) => ({ ...itemRef(i), label: "已被替代为" })),
    ],
    tags: item.tags,
  };
}

/** The meta tags Chinese government sites publish on every article page. */
export function itemMeta(site: SiteConfig, item: PortalItem): MetaTag[] {
  const time = item.publishedAt ?? item.updatedAt;
  return [
    { name: "ArticleTitle", content: item.title },
    { name: "PubDate", content: time === undefined ? "" : formatDateTime(time) },
    { name: "ContentSource", content: item.issuingOffice },
    { name: "Keywords", content: item.tags.join(",") },
    { name: "Description", content: item.summary },
    { name: "Url", content: absoluteUrl(site, itemPath(item.id)) },
  ];
}

/** Breadcrumbs of an item page: its catalogue column, then the item. */
export function itemCrumbs(item: PortalItem): Crumb[] {
  const crumbs: Crumb[] = [{ label: "信息公开目录", href: "/catalogue" }];
  if (item.category)
    crumbs.push({ label: item.category, href: `/catalogue/${encodeURIComponent(item.category)}` });
  crumbs.push({ label: item.shortTitle || item.title });
  return crumbs;
}
