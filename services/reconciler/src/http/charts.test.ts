import { barChart, CHART_LAYOUT } from "./charts";
import { createRenderer } from "./renderer";

const { barX, barWidth } = CHART_LAYOUT;

describe("barChart", () => {
  it("draws parts proportional to their counts, edge to edge across the bar", () => {
    const chart = barChart({
      id: "c",
      title: "按渠道",
      dimension: "渠道",
      rows: [{ key: "portal", total: 8, onTime: 4, late: 2, overdue: 2 }],
    });
    const [onTime, late, overdue] = chart.rows[0]?.segments ?? [];
    expect(onTime).toMatchObject({ kind: "on-time", x: barX, width: barWidth / 2, percent: 50 });
    expect(late).toMatchObject({ kind: "late", x: barX + barWidth / 2, width: barWidth / 4 });
    expect(overdue).toMatchObject({ x: barX + (barWidth * 3) / 4, width: barWidth / 4 });
    expect(chart.rows[0]?.summary).toBe("4/8 按期 50%");
  });

  it("never overruns the bar when thirds do not round evenly", () => {
    const chart = barChart({
      id: "c",
      title: "t",
      dimension: "渠道",
      rows: [{ key: "a", total: 3, onTime: 1, late: 1, overdue: 1 }],
    });
    const segments = chart.rows[0]?.segments ?? [];
    const end = segments.at(-1);
    expect((end?.x ?? 0) + (end?.width ?? 0)).toBeCloseTo(barX + barWidth, 5);
    expect(segments.reduce((sum, s) => sum + s.width, 0)).toBeCloseTo(barWidth, 5);
  });

  it("takes the larger of total and the parts as the full bar", () => {
    const notYetDue = barChart({
      id: "c",
      title: "t",
      dimension: "渠道",
      rows: [{ key: "a", total: 10, onTime: 5, late: 0, overdue: 0 }],
    });
    expect(notYetDue.rows[0]?.segments[0]?.width).toBe(barWidth / 2);
    const overdueOutside = barChart({
      id: "c",
      title: "t",
      dimension: "渠道",
      rows: [{ key: "a", total: 2, onTime: 1, late: 1, overdue: 2 }],
    });
    expect(overdueOutside.rows[0]?.base).toBe(4);
  });

  it("draws an empty track for a zero total instead of dividing by zero", () => {
    const chart = barChart({
      id: "c",
      title: "t",
      dimension: "渠道",
      rows: [{ key: "newmedia", total: 0, onTime: 0, late: 0, overdue: 0 }],
    });
    const row = chart.rows[0];
    expect(row?.segments.map((s) => [s.width, s.percent, s.x])).toEqual([
      [0, 0, barX],
      [0, 0, barX],
      [0, 0, barX],
    ]);
    expect(row?.summary).toBe("无期限内交付");
    expect(JSON.stringify(chart)).not.toMatch(/NaN|Infinity/);
  });

  it("has a height for an empty chart and says so", () => {
    const chart = barChart({ id: "c", title: "t", dimension: "渠道", rows: [] });
    expect(chart.empty).toBe(true);
    expect(chart.height).toBeGreaterThan(CHART_LAYOUT.legendHeight);
  });

  it("shortens long labels in the drawing but keeps them whole for the tooltip", () => {
    const chart = barChart({
      id: "c",
      title: "t",
      dimension: "发布单位",
      rows: [
        {
          key: "中华人民共和国海关总署办公厅政务公开办公室",
          total: 1,
          onTime: 1,
          late: 0,
          overdue: 0,
        },
      ],
    });
    expect(chart.rows[0]?.shortLabel).toBe("中华人民共和国海关…");
    expect(chart.rows[0]?.label).toBe("中华人民共和国海关总署办公厅政务公开办公室");
    const latin = barChart({
      id: "c",
      title: "t",
      dimension: "渠道",
      rows: ["noticeboard", "outlet-gateway-shenzhen-hall"].map((key) => ({
        key,
        total: 0,
        onTime: 0,
        late: 0,
        overdue: 0,
      })),
    });
    expect(latin.rows.map((r) => r.shortLabel)).toEqual(["noticeboard", "outlet-gateway-shen…"]);
  });

  it("renders as an accessible SVG whose labels are escaped", () => {
    const chart = barChart({
      id: "chart-kind",
      title: "按类别 <b>",
      dimension: "类别",
      rows: [{ key: "x", total: 2, onTime: 1, late: 1, overdue: 0 }],
      label: () => '<script>alert("x")</script>',
    });
    const html = createRenderer().render("overview", { charts: [{ chart, table: [] }] });
    expect(html).toContain('<svg role="img" aria-labelledby="chart-kind-title chart-kind-desc"');
    expect(html).toContain('<title id="chart-kind-title">按类别 &lt;b&gt;</title>');
    expect(html).toContain('<desc id="chart-kind-desc">');
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toMatch(/<rect class="segment-on-time" x="150" y="28" width="210" height="20"/);
    expect(html).toContain(">50%</text>");
  });
});
