/** Views of the overview and the delivery matrix: plain data, formatted for display. */
import {
  type ChannelDelivery,
  type ChannelSummary,
  DELIVERY_STATES,
  type DeliveryState,
  type MatrixPage,
  type ReconcilerQueries,
} from "../model";
import { CONSUMING_LABELS } from "../consuming";
import { type BarChart, barChart } from "./charts";
import {
  FINDING_LABELS,
  formatDuration,
  formatTime,
  itemPath,
  kindName,
  percent,
  STATE_LABELS,
  timeView,
} from "./format";
import { type PagerView, pagerView } from "./layout-view";

/** Default rows per matrix page. */
export const MATRIX_PAGE_SIZE = 50;

function matrixHref(params: Record<string, string>): string {
  return `/matrix?${new URLSearchParams(params).toString()}`;
}

function channelRow(c: ChannelSummary) {
  const audit = c.lastAudit;
  return {
    name: c.channel,
    matrixHref: matrixHref({ channel: c.channel }),
    problemsHref: `/problems?${new URLSearchParams({ channel: c.channel }).toString()}`,
    announced: c.announced,
    inventoryAddress: c.inventoryAddress ?? "",
    // An outlet not connected when last audited; a retired one is owed nothing.
    unreachable: c.unreachable
      ? `自 ${formatTime(c.unreachable.since)}：${c.unreachable.error}`
      : "",
    retired: c.retiredAt ? `撤销于 ${formatTime(c.retiredAt)}` : "",
    // An account that must be kept updated: how long since its last post.
    freshness: c.freshness
      ? {
          label:
            c.freshness.level === "finding"
              ? `${c.freshness.days} 天未更新`
              : c.freshness.level === "warning"
                ? `${c.freshness.days} 天未更新`
                : "更新正常",
          badge:
            c.freshness.level === "finding"
              ? "state-missing"
              : c.freshness.level === "warning"
                ? "state-late"
                : "state-delivered",
          message: c.freshness.message,
        }
      : undefined,
    // Up for traffic but not consuming normally: the channel's own line, with the rule's code.
    notConsuming: c.notConsuming
      ? {
          label: `未正常消费（${CONSUMING_LABELS[c.notConsuming.state]}）`,
          detail: c.notConsuming.detail,
          code: c.notConsuming.code,
          message: c.notConsuming.message,
        }
      : undefined,
    joinedAt: timeView(c.joinedAt),
    counts: DELIVERY_STATES.map((state) => {
      const count = c.states[state] ?? 0;
      return {
        state,
        count,
        // Only non-zero counts link to the matrix: an empty filter is a dead end.
        href: count > 0 ? matrixHref({ channel: c.channel, state }) : undefined,
      };
    }),
    audit: audit
      ? {
          at: timeView(audit.startedAt),
          duration: formatDuration(audit.durationMs),
          holdings: audit.holdings,
          lag: audit.lag ?? 0,
          error: audit.error ?? "",
        }
      : undefined,
    openProblems: c.openProblems,
    deadline:
      c.deadlineDeliveries > 0
        ? `${c.onTime}/${c.deadlineDeliveries}（${percent(c.onTime, c.deadlineDeliveries)}%）`
        : "—",
  };
}

/** The overview: every channel at a glance and the deadline compliance charts. */
export function overviewView(queries: ReconcilerQueries) {
  const ready = queries.ready();
  const compliance = queries.compliance();
  const charts: BarChart[] = [
    barChart({
      id: "chart-channel",
      title: "按渠道 · By channel",
      dimension: "渠道",
      rows: compliance.byChannel,
    }),
    barChart({
      id: "chart-kind",
      title: "按信息类别 · By kind",
      dimension: "信息类别",
      rows: compliance.byKind,
      label: kindName,
    }),
    barChart({
      id: "chart-office",
      title: "按发布单位 · By issuing office",
      dimension: "发布单位",
      rows: compliance.byOffice,
    }),
  ];
  const content = queries.content?.();
  return {
    ready: ready.ok,
    readyDetail: ready.detail,
    content: content
      ? {
          address: content.address,
          ok: content.ok,
          checkedAt: timeView(content.checkedAt),
          error: content.error ?? "",
          pending: content.pending,
          notAnnounced: content.notAnnounced,
          notAnnouncedHref: "/problems",
          // Known only from a content service that sends its readiness with the listing.
          readiness: content.readiness
            ? { ready: content.readiness.ready, detail: content.readiness.detail }
            : undefined,
        }
      : undefined,
    states: DELIVERY_STATES.map((state) => ({ state, label: STATE_LABELS[state] })),
    channels: queries.channels().map(channelRow),
    charts: charts.map((chart) => ({
      chart,
      table: chart.rows.map((row) => ({
        label: row.label,
        base: row.base,
        parts: row.segments.map((s) => ({ count: s.count, percent: s.percent })),
      })),
    })),
  };
}

/** The matrix filters as parsed from the query. */
export interface MatrixFilters {
  readonly page: number;
  readonly pageSize: number;
  readonly state?: DeliveryState | undefined;
  readonly channel?: string | undefined;
  readonly search?: string | undefined;
}

const v = (version: number) => (version > 0 ? `v${version}` : "无");

function cellView(delivery: ChannelDelivery | undefined) {
  if (!delivery) return { empty: true };
  const finding = delivery.finding;
  const held = delivery.heldVersion;
  const expected = delivery.expectedVersion;
  return {
    empty: false,
    state: delivery.state,
    label: STATE_LABELS[delivery.state],
    // "v2" when it holds what it should; else what it holds → what it should hold.
    version: held === expected ? (held > 0 ? `v${held}` : "") : `${v(held)}→${v(expected)}`,
    delivery: formatDuration(delivery.deliveryMs),
    late: delivery.onTime === false,
    title: finding ? `${FINDING_LABELS[finding.kind]}：${finding.reason}` : "",
  };
}

/** One page of the delivery matrix with its filter form and pager. */
export function matrixView(
  page: MatrixPage,
  filters: MatrixFilters,
): {
  filters: object;
  channels: readonly string[];
  rows: object[];
  total: number;
  pager: PagerView;
} {
  const params: Record<string, string> = {
    ...(filters.state ? { state: filters.state } : {}),
    ...(filters.channel ? { channel: filters.channel } : {}),
    ...(filters.search ? { search: filters.search } : {}),
    ...(filters.pageSize !== MATRIX_PAGE_SIZE ? { pageSize: String(filters.pageSize) } : {}),
  };
  return {
    filters: {
      search: filters.search ?? "",
      states: DELIVERY_STATES.map((state) => ({
        value: state,
        label: `${STATE_LABELS[state]} ${state}`,
        selected: state === filters.state,
      })),
      channels: page.channels.map((name) => ({ value: name, selected: name === filters.channel })),
      pageSize: filters.pageSize,
    },
    channels: page.channels,
    rows: page.rows.map((row) => ({
      id: row.itemId,
      href: itemPath(row.itemId),
      title: row.title,
      kind: kindName(row.kind),
      version: row.version,
      cells: page.channels.map((channel) =>
        cellView(row.channels.find((c) => c.channel === channel)),
      ),
    })),
    total: page.total,
    pager: pagerView("/matrix", params, page.page, page.pageSize, page.total),
  };
}
