import type {
  DeliveryState,
  FindingKind,
  ProblemActionKind,
  ProblemState,
  TimelineEventType,
} from "../model";

/** The time zone the dashboard shows every time in, whatever the host's. */
export const DASHBOARD_TIME_ZONE = "Asia/Shanghai";

const dateTimeParts = new Intl.DateTimeFormat("zh-CN", {
  timeZone: DASHBOARD_TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

/** `YYYY-MM-DD HH:mm:ss` in Asia/Shanghai; an empty string for no date. */
export function formatTime(date: Date | undefined): string {
  if (!date || Number.isNaN(date.getTime())) return "";
  const p: Record<string, string> = {};
  for (const part of dateTimeParts.formatToParts(date)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** A time for a `<time>` element: the text in Asia/Shanghai and the machine-readable instant. */
export interface TimeView {
  readonly text: string;
  readonly iso: string;
}

/** A {@link TimeView}, or undefined for no date, so templates can `{{#if}}` on it. */
export function timeView(date: Date | undefined): TimeView | undefined {
  const text = formatTime(date);
  return date && text ? { text, iso: date.toISOString() } : undefined;
}

/** A duration as operators read it: "850 ms", "1.2 s", "45 s", "3 min", "2.5 h", "3.0 d". */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

/** Chinese labels of the delivery states; the English name stays in the badge's class. */
export const STATE_LABELS: Readonly<Record<DeliveryState, string>> = {
  delivered: "已送达",
  pending: "待送达",
  missing: "缺失",
  stale: "版本过旧",
  mismatch: "内容不符",
  failed: "投递失败",
  removed: "已撤下",
  declined: "不接收",
  late: "超期",
  unexpected: "多余",
  not_announced: "未发布到消息流",
};

export const FINDING_LABELS: Readonly<Record<FindingKind, string>> = {
  missing: "缺失",
  stale: "版本过旧",
  checksum_mismatch: "内容校验不符",
  not_removed: "未撤下",
  failed: "投递失败",
  declined: "不接收",
  unexpected: "多余",
  late: "超期",
  not_announced: "未发布到消息流",
};

export const PROBLEM_STATE_LABELS: Readonly<Record<ProblemState, string>> = {
  open: "待处理",
  acknowledged: "已确认",
  resolved: "已解决",
};

export const PROBLEM_ACTION_LABELS: Readonly<Record<ProblemActionKind, string>> = {
  opened: "登记问题",
  acknowledged: "确认",
  resolved: "解决",
  redelivery_forced: "强制重新投递",
  cleared: "自动消除",
};

export const TIMELINE_LABELS: Readonly<Record<TimelineEventType, string>> = {
  published: "发布",
  receipt: "回执",
  audit: "核查",
  redelivery: "重新投递",
  finding: "发现问题",
  problem: "问题处理",
};

const KIND_NAMES: Readonly<Record<string, string>> = {
  news: "工作动态",
  "policy-document": "政策文件",
  "policy-interpretation": "政策解读",
  "administrative-licence": "行政许可",
  "administrative-penalty": "行政处罚",
  "power-responsibility-entry": "权责清单",
  "service-guide": "办事指南",
  notice: "通知公告",
  "hotline-qa": "热线问答",
  "consultation-draft": "征求意见",
};

/** The Chinese name of a kebab-case kind; an unknown kind shows as itself. */
export function kindName(kind: string): string {
  return KIND_NAMES[kind] ?? kind;
}

/** "published" → 已发布…; an unknown status shows as itself. */
export function itemStatusName(status: string): string {
  return { published: "已发布", retracted: "已撤回", expired: "已失效" }[status] ?? status;
}

/** A whole-number percentage of `part` in `whole`, 0 when there is no whole. */
export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 100) : 0;
}

/** The dashboard path of an item. */
export function itemPath(itemId: string): string {
  return `/items/${encodeURIComponent(itemId)}`;
}

/** The path of a problem, or of one of its actions (`/problems/<channel>/<item>/<action>`). */
export function problemPath(channel: string, itemId: string, action?: string): string {
  const base = `/problems/${encodeURIComponent(channel)}/${encodeURIComponent(itemId)}`;
  return action ? `${base}/${action}` : base;
}

/** A link target safe for an href: http(s) URLs only, since external refs come from channels. */
export function safeExternalHref(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
