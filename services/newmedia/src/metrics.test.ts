import { mergeExposition, newmediaGauges } from "./metrics";

describe("the merged exposition of several accounts", () => {
  it("keeps each metric's HELP and TYPE once, with every account's series together", () => {
    const account = (outlet: string, value: number) =>
      [
        "# HELP herald_channel_applied_total versions put on the channel",
        "# TYPE herald_channel_applied_total counter",
        `herald_channel_applied_total{channel="newmedia",outlet="${outlet}"} ${value}`,
        "# TYPE herald_channel_retries_pending gauge",
        `herald_channel_retries_pending{channel="newmedia",outlet="${outlet}"} 0`,
        "",
      ].join("\n");
    const merged = mergeExposition([account("wechat:a", 3), account("weibo:b", 5)]);
    expect(merged.split("\n")).toEqual([
      "# HELP herald_channel_applied_total versions put on the channel",
      "# TYPE herald_channel_applied_total counter",
      'herald_channel_applied_total{channel="newmedia",outlet="wechat:a"} 3',
      'herald_channel_applied_total{channel="newmedia",outlet="weibo:b"} 5',
      "# TYPE herald_channel_retries_pending gauge",
      'herald_channel_retries_pending{channel="newmedia",outlet="wechat:a"} 0',
      'herald_channel_retries_pending{channel="newmedia",outlet="weibo:b"} 0',
      "",
    ]);
  });

  it("reports each account's quotas, days since its last post (-1 when never) and open tasks", () => {
    const text = newmediaGauges([
      {
        outletId: "wechat:a",
        platform: "wechat",
        account: "a",
        displayName: "A",
        ready: true,
        holdings: 2,
        lastPost: null,
        daysSincePost: null,
        freshness: {
          level: "finding",
          code: "freshness.finding",
          warningDays: 10,
          findingDays: 14,
          message: "",
        },
        quotas: [{ api: "freepublish/submit", used: 96, limit: 100, warning: true }],
        openTasks: 0,
      },
    ]);
    expect(text).toContain(
      'herald_newmedia_quota_used{outlet="wechat:a",api="freepublish/submit"} 96',
    );
    expect(text).toContain(
      'herald_newmedia_quota_limit{outlet="wechat:a",api="freepublish/submit"} 100',
    );
    expect(text).toContain('herald_newmedia_days_since_post{outlet="wechat:a"} -1');
    expect(text).toContain('herald_newmedia_operator_tasks_open{outlet="wechat:a"} 0');
  });
});
