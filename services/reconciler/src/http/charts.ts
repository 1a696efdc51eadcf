/**
 * Deadline-compliance bar charts as pure geometry. The template
 * (templates/partials/bar-chart.tmpl) draws the SVG from this model through
 * `{{ }}`, so every label is escaped by Handlebars like any other text and no
 * markup is ever assembled from strings here.
 */
import type { ComplianceRow } from "../model";
import { percent } from "./format";

/** The three stacked parts of a bar, in drawing order. */
export type SegmentKind = "on-time" | "late" | "overdue";

const SEGMENTS: readonly { kind: SegmentKind; name: string; fill: string }[] = [
  { kind: "on-time", name: "按期送达", fill: "#2e7d32" },
  { kind: "late", name: "超期送达", fill: "#b35c00" },
  { kind: "overdue", name: "逾期未送达", fill: "#c62828" },
];

/** Geometry of the chart; the stylesheet may restyle it, but it reads without one. */
export const CHART_LAYOUT = {
  width: 720,
  labelRight: 142,
  barX: 150,
  barWidth: 420,
  summaryX: 580,
  legendHeight: 28,
  rowHeight: 30,
  barHeight: 20,
  /**
   * Labels wider than this are shortened in the SVG (the table has them
   * whole); a Chinese character counts 2, a Latin one 1, as they roughly draw.
   */
  labelWidth: 20,
  /** Segments narrower than this carry no percentage inside them. */
  minLabelledWidth: 34,
} as const;

/** One part of one bar. */
export interface BarSegment {
  readonly kind: SegmentKind;
  readonly name: string;
  readonly fill: string;
  readonly count: number;
  readonly percent: number;
  readonly x: number;
  readonly width: number;
  /** The percentage drawn inside the segment, when it is wide enough to hold it. */
  readonly text?: { readonly x: number; readonly value: string };
}

/** One bar: a channel, a kind or an office. */
export interface BarRow {
  readonly label: string;
  readonly shortLabel: string;
  readonly y: number;
  readonly textY: number;
  /** What the bar's full width stands for (see {@link barChart}). */
  readonly base: number;
  readonly onTimePercent: number;
  readonly segments: readonly BarSegment[];
  /** "8/10 按期 80%", right of the bar. */
  readonly summary: string;
}

/** A whole chart, with the data again as a table for screen readers and text browsers. */
export interface BarChart {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly width: number;
  readonly height: number;
  readonly barX: number;
  readonly barWidth: number;
  readonly barHeight: number;
  readonly labelRight: number;
  readonly summaryX: number;
  readonly legend: readonly { name: string; fill: string; x: number; textX: number }[];
  readonly rows: readonly BarRow[];
  readonly empty: boolean;
  readonly emptyText: string;
}

/** What to chart. */
export interface BarChartInput {
  /** Prefix of the SVG's element ids; must be unique on the page. */
  readonly id: string;
  readonly title: string;
  /** What one bar is ("渠道", "类别", "发布单位"), for the description. */
  readonly dimension: string;
  readonly rows: readonly ComplianceRow[];
  /** Display name of a row's key (e.g. a kind's Chinese name). */
  readonly label?: (key: string) => string;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

const charWidth = (char: string) => ((char.codePointAt(0) ?? 0) >= 0x2e80 ? 2 : 1);

function shorten(label: string): string {
  const chars = Array.from(label);
  if (chars.reduce((sum, c) => sum + charWidth(c), 0) <= CHART_LAYOUT.labelWidth) return label;
  let width = charWidth("…");
  let kept = "";
  for (const char of chars) {
    width += charWidth(char);
    if (width > CHART_LAYOUT.labelWidth) break;
    kept += char;
  }
  return `${kept}…`;
}

function segments(row: ComplianceRow, base: number): BarSegment[] {
  const counts = [row.onTime, row.late, row.overdue];
  const { barX, barWidth, minLabelledWidth } = CHART_LAYOUT;
  let cumulative = 0;
  return SEGMENTS.map((segment, i) => {
    const count = Math.max(0, counts[i] ?? 0);
    // Edges come from cumulative counts, so rounding never makes the parts
    // overrun the bar or leave a gap between them.
    const start = base > 0 ? round2((cumulative / base) * barWidth) : 0;
    cumulative += count;
    const end = base > 0 ? round2((cumulative / base) * barWidth) : 0;
    const width = round2(end - start);
    const share = percent(count, base);
    return {
      ...segment,
      count,
      percent: share,
      x: round2(barX + start),
      width,
      ...(width >= minLabelledWidth
        ? { text: { x: round2(barX + start + width / 2), value: `${share}%` } }
        : {}),
    };
  });
}

/**
 * A stacked horizontal bar per row: on time, late, overdue. A bar's full width
 * is the larger of the row's `total` and the sum of its three parts, so the
 * chart stays honest whether or not `total` already counts the overdue ones;
 * a row with nothing to show draws an empty track and never divides by zero.
 */
export function barChart(input: BarChartInput): BarChart {
  const L = CHART_LAYOUT;
  const rows = input.rows.map((row, i): BarRow => {
    const label = input.label ? input.label(row.key) : row.key;
    const base = Math.max(row.total, row.onTime + row.late + row.overdue, 0);
    const y = L.legendHeight + i * L.rowHeight;
    const onTimePercent = percent(row.onTime, base);
    return {
      label,
      shortLabel: shorten(label),
      y,
      textY: y + L.barHeight / 2 + 5,
      base,
      onTimePercent,
      segments: segments(row, base),
      summary: base > 0 ? `${row.onTime}/${base} 按期 ${onTimePercent}%` : "无期限内交付",
    };
  });
  return {
    id: input.id,
    title: input.title,
    description: `每行一个${input.dimension}，条形全长为有办理期限的交付数：绿色为按期送达，橙色为超期送达，红色为逾期仍未送达。`,
    width: L.width,
    height: L.legendHeight + Math.max(rows.length, 1) * L.rowHeight,
    barX: L.barX,
    barWidth: L.barWidth,
    barHeight: L.barHeight,
    labelRight: L.labelRight,
    summaryX: L.summaryX,
    legend: SEGMENTS.map((s, i) => ({
      name: s.name,
      fill: s.fill,
      x: L.barX + i * 130,
      textX: L.barX + i * 130 + 18,
    })),
    rows,
    empty: rows.length === 0,
    emptyText: "暂无有办理期限的交付",
  };
}
