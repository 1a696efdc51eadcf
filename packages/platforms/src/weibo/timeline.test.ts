import { startPlatforms, type Platforms } from "../index";

const ACCOUNT = {
  uid: "7100000001",
  accessToken: "2.00timeline-token",
  name: "时间线",
  safeDomains: ["127.0.0.1"],
};
const OTHER = { ...ACCOUNT, uid: "7100000002", accessToken: "2.00other-token", name: "另一个" };
const LINK = "http://127.0.0.1:4100/items";

let at = Date.UTC(2026, 11, 5, 2, 0, 0);
let platforms: Platforms;

async function share(status: string, token = ACCOUNT.accessToken): Promise<string> {
  const res = await fetch(`${platforms.url}/2/statuses/share.json`, {
    method: "POST",
    body: new URLSearchParams({ access_token: token, status }),
  });
  const body = (await res.json()) as { idstr: string };
  return body.idstr;
}

async function timeline(query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${platforms.url}/2/statuses/user_timeline.json?${query}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeEach(async () => {
  at = Date.UTC(2026, 11, 5, 2, 0, 0);
  platforms = await startPlatforms({ now: () => at, weibo: [ACCOUNT, OTHER] });
});
afterEach(() => platforms.close());

describe("Weibo user_timeline and posts deleted by hand", () => {
  it("lists the authorised user's own live posts, newest first, at most count", async () => {
    const first = await share(`第一条 ${LINK}/1`);
    at += 1_000;
    const second = await share(`第二条 ${LINK}/2`);
    at += 1_000;
    const third = await share(`第三条 ${LINK}/3`);
    await share(`别人的 ${LINK}/4`, OTHER.accessToken);
    platforms.control.deleteWeiboPost(ACCOUNT.uid, second);

    const all = await timeline(`access_token=${ACCOUNT.accessToken}`);
    expect(all.status).toBe(200);
    const statuses = all.body.statuses as { idstr: string; text: string }[];
    expect(statuses.map((s) => s.idstr)).toEqual([third, first]);
    expect(all.body.total_number).toBe(2);

    const one = await timeline(`access_token=${ACCOUNT.accessToken}&count=1`);
    expect((one.body.statuses as { idstr: string }[]).map((s) => s.idstr)).toEqual([third]);
  });

  it("answers a bad token with the platform's error", async () => {
    const refused = await timeline("access_token=nope");
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error_code: 21332 });
  });

  it("a post deleted by hand is gone for statuses/show, and cannot be deleted twice", async () => {
    const id = await share(`手动删除 ${LINK}/5`);
    platforms.control.deleteWeiboPost(ACCOUNT.uid, id);
    const res = await fetch(
      `${platforms.url}/2/statuses/show.json?access_token=${ACCOUNT.accessToken}&id=${id}`,
    );
    expect(((await res.json()) as { error_code: number }).error_code).toBe(20101);
    expect(platforms.control.weibo(ACCOUNT.uid).posts[0]).toMatchObject({ id, deleted: true });
    expect(() => platforms.control.deleteWeiboPost(ACCOUNT.uid, id)).toThrow(/no live Weibo post/);

    const viaHttp = await share(`经控制接口删除 ${LINK}/6`);
    const deleted = await fetch(`${platforms.url}/_control/weibo/${ACCOUNT.uid}/posts/${viaHttp}`, {
      method: "DELETE",
    });
    expect(deleted.status).toBe(204);
    expect(platforms.control.weibo(ACCOUNT.uid).posts.find((p) => p.id === viaHttp)?.deleted).toBe(
      true,
    );
  });
});
