import type { AccountView, TaskView } from "./client";
import {
  formatAccounts,
  formatDone,
  formatNewmediaStatus,
  formatTasks,
  freshnessCell,
  lastPostCell,
  quotasCell,
} from "./views";

const account = (over: Partial<AccountView>): AccountView => ({
  outletId: "wechat:demo",
  platform: "wechat",
  account: "demo",
  displayName: "海关发布",
  ready: true,
  holdings: 3,
  lastPost: { at: "2026-12-05T08:00:00.000Z", ref: "https://mp.example/s/1" },
  daysSincePost: 0,
  freshness: { level: "ok", warningDays: 10, findingDays: 14, message: "" },
  quotas: [
    { api: "draft/add", used: 3, limit: 1000, warning: false },
    { api: "freepublish/submit", used: 3, limit: 100, warning: false },
  ],
  openTasks: 0,
  ...over,
});

const weibo = account({
  outletId: "weibo:demo",
  platform: "weibo",
  displayName: "海关发布微博",
  holdings: 1,
  lastPost: { at: "2026-11-24T02:00:00.000Z", ref: "https://weibo.example/1/2" },
  daysSincePost: 11,
  freshness: {
    level: "warning",
    warningDays: 10,
    findingDays: 14,
    message: "11 天未发布，14 天将被判定为不合格",
  },
  quotas: [{ api: "statuses/share", used: 28, limit: 30, warning: true }],
  openTasks: 1,
});

const task = (over: Partial<TaskView>): TaskView => ({
  id: "t1",
  outletId: "weibo:demo",
  itemId: "news-1",
  postId: "4900000000000001",
  postUrl: "http://127.0.0.1:4290/weibo/7000000001/4900000000000001",
  action: "delete_post",
  reason: "条目已撤回，微博开放接口不能删除微博，请手动删除",
  openedAt: "2026-12-05T09:00:00.000Z",
  ...over,
});

describe("newmedia views", () => {
  it("say when an account last posted", () => {
    expect(lastPostCell(account({}))).toBe("2026-12-05T08:00:00Z (today)");
    expect(lastPostCell(account({ daysSincePost: 1 }))).toBe("2026-12-05T08:00:00Z (1 day ago)");
    expect(lastPostCell(weibo)).toBe("2026-11-24T02:00:00Z (11 days ago)");
    expect(lastPostCell(account({ lastPost: null, daysSincePost: null }))).toBe("never");
  });

  it("flag only the quotas near their limit", () => {
    expect(quotasCell(account({}).quotas)).toBe("ok");
    expect(quotasCell([])).toBe("-");
    expect(
      quotasCell([
        { api: "freepublish/submit", used: 95, limit: 100, warning: true },
        { api: "freepublish/get", used: 99, limit: 100, warning: true },
        { api: "draft/add", used: 5, limit: 1000, warning: false },
      ]),
    ).toBe("! freepublish/submit 95/100, ! freepublish/get 99/100");
  });

  it("mark freshness ✓, ! and ✗, with the channel's message when not fresh", () => {
    expect(freshnessCell(account({}))).toBe("✓");
    expect(freshnessCell(weibo)).toBe("! 11 天未发布，14 天将被判定为不合格");
    const stale = account({
      freshness: { level: "finding", warningDays: 10, findingDays: 14, message: "15 天未发布" },
    });
    expect(freshnessCell(stale)).toBe("✗ 15 天未发布");
  });

  it("list one line an account, aligned with the Chinese names", () => {
    expect(formatAccounts({ accounts: [account({}), weibo] })).toEqual([
      "  outlet       name          ready  holdings  last post                           tasks  quotas                  freshness",
      "  wechat:demo  海关发布      yes    3         2026-12-05T08:00:00Z (today)        0      ok                      ✓",
      "  weibo:demo   海关发布微博  yes    1         2026-11-24T02:00:00Z (11 days ago)  1      ! statuses/share 28/30  ! 11 天未发布，14 天将被判定为不合格",
      "",
      "freshness: ✓ posted recently, ! no post for 10 days, ✗ none for 14 (an inspection fails the account)",
    ]);
    expect(formatAccounts({ accounts: [] })).toEqual([
      "no accounts: the newmedia channel's accounts file lists none",
    ]);
  });

  it("list the tasks with their reason and the post's URL, and say how to close one", () => {
    expect(formatTasks({ tasks: [task({})] }, false)).toEqual([
      "1 open operator task:",
      "",
      "  weibo:demo  news-1  delete_post  open since 2026-12-05T09:00:00Z",
      "    条目已撤回，微博开放接口不能删除微博，请手动删除",
      "    http://127.0.0.1:4290/weibo/7000000001/4900000000000001",
      "",
      "delete the post on the platform, then `./herald newmedia done <outlet> <item>` marks it done",
    ]);
    const done = task({ doneAt: "2026-12-05T10:00:00.000Z", doneBy: "operator" });
    expect(formatTasks({ tasks: [done] }, true)).toEqual([
      "1 operator task:",
      "",
      "  weibo:demo  news-1  delete_post  done 2026-12-05T10:00:00Z by operator",
      "    条目已撤回，微博开放接口不能删除微博，请手动删除",
      "    http://127.0.0.1:4290/weibo/7000000001/4900000000000001",
    ]);
    expect(formatTasks({ tasks: [] }, false)).toEqual(["no open operator tasks"]);
    expect(formatTasks({ tasks: [] }, true)).toEqual(["no operator tasks yet"]);
  });

  it("confirm a task done in Chinese first", () => {
    const done = task({ doneAt: "2026-12-05T10:00:00.000Z", doneBy: "operator" });
    expect(formatDone(done)).toEqual([
      "任务已完成：weibo:demo 上条目 news-1 的帖子已删除 (delete_post). Task done by operator; the takedown of news-1 on weibo:demo is confirmed",
    ]);
  });

  it("add the accounts' freshness and open tasks to herald status", () => {
    expect(formatNewmediaStatus({ accounts: [account({}), weibo] })).toEqual([
      "",
      "newmedia accounts (from the newmedia channel):",
      "  account      name          last post                           open tasks  freshness",
      "  wechat:demo  海关发布      2026-12-05T08:00:00Z (today)        0           ✓",
      "  weibo:demo   海关发布微博  2026-11-24T02:00:00Z (11 days ago)  1           ! 11 天未发布，14 天将被判定为不合格",
    ]);
    expect(formatNewmediaStatus({ accounts: [] })).toEqual([]);
  });
});
