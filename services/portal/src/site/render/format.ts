import { PartyKind } from "@herald/contracts";

/** A file size as visitors read it: 980 B, 12.5 KB, 3.2 MB. */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  "application/pdf": "PDF",
  "application/msword": "DOC",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
  "application/vnd.ms-excel": "XLS",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
  "application/vnd.ofd": "OFD",
  "application/ofd": "OFD",
  "application/zip": "ZIP",
  "text/plain": "TXT",
  "image/jpeg": "JPG",
  "image/png": "PNG",
};

/** A short file type label for a media type. */
export function mediaTypeLabel(mediaType: string): string {
  const base = mediaType.split(";")[0]?.trim().toLowerCase() ?? "";
  return MEDIA_TYPES[base] ?? (base.split("/")[1]?.toUpperCase() || "文件");
}

/** A link target safe to put in an href: http(s) URLs and site paths only. */
export function safeHref(url: string): string | undefined {
  if (url.startsWith("/") && !url.startsWith("//")) return url;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** 自然人 / 法人 / 其他组织. */
export function partyKindName(kind: PartyKind): string {
  switch (kind) {
    case PartyKind.PARTY_KIND_NATURAL_PERSON:
      return "自然人";
    case PartyKind.PARTY_KIND_LEGAL_PERSON:
      return "法人";
    case PartyKind.PARTY_KIND_OTHER_ORGANISATION:
      return "其他组织";
    default:
      return "";
  }
}

/** The path of an item's page. */
export function itemPath(id: string): string {
  return `/items/${encodeURIComponent(id)}`;
}
