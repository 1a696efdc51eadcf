import { startPlatforms, type Platforms } from "../index";

const ACCOUNT = {
  uid: "7000000099",
  accessToken: "2.00test-token-of-weibo",
  name: "测试微博",
  safeDomains: ["127.0.0.1"],
};
const BIZ = {
  uid: "7000000098",
  accessToken: "2.00test-token-of-biz",
  name: "商业微博",
  safeDomains: ["127.0.0.1"],
  commercial: true,
};
const LINK = "http://127.0.0.1:4100/items/1";

type Json = Record<string, unknown>;
let at = Date.UTC(2026, 11, 5, 2, 0, 0);
let platforms: Platforms;

async function share(
  status: string,
  token = ACCOUNT.accessToken,
  pic?: Buffer,
): Promise<{ status: number; body: Json }> {
  let body: URLSearchParams | FormData;
  if (pic === undefined) {
    body = new URLSearchParams({ access_token: token, status });
  } else {
    const form = new FormData();
    form.append("access_token", token);
    form.append("status", status);
    form.append("pic", new Blob([pic]), "p.jpg");
    body = form;
  }
  const res = await fetch(`${platforms.url}/2/statuses/share.json`, { method: "POST", body });
  return { status: res.status, body: (await res.json()) as Json };
}

beforeEach(async () => {
  at = Date.UTC(2026, 11, 5, 2, 0, 0);
  platforms = await startPlatforms({
    now: () => at,
    weibo: [
      ACCOUNT,
      BIZ,
      { ...ACCOUNT, uid: "7000000097", accessToken: "2.00slow", postsPerHour: 2 },
    ],
  });
});
afterEach(async () => {
  await platforms.close();
});

describe("Weibo statuses/share", () => {
  it("posts a status with a safe-domain link and shows it", async () => {
    const r = await share(`海关总署发布公告 ${LINK}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      text: `海关总署发布公告 ${LINK}`,
      user: { screen_name: "测试微博" },
      created_at: "Sat Dec 05 10:00:00 +0800 2026",
    });
    const shown = (await (
      await fetch(
        `${platforms.url}/2/statuses/show.json?access_token=${ACCOUNT.accessToken}&id=${String(r.body.idstr)}`,
      )
    ).json()) as Json;
    expect(shown.idstr).toBe(r.body.idstr);
    expect(platforms.control.weibo(ACCOUNT.uid).posts).toHaveLength(1);
  });

  it("refuses a status without a link into a safe domain (10017)", async () => {
    const r = await share("海关总署发布公告 https://example.com/x");
    expect(r).toEqual({
      status: 400,
      body: {
        error: "appkey not bind domain!",
        error_code: 10017,
        request: "/2/statuses/share.json",
      },
    });
  });

  it("refuses a status over 140 (20012), counting Latin letters as half", async () => {
    expect((await share(`${"字".repeat(129)} ${LINK}`)).status).toBe(200);
    expect((await share(`${"字".repeat(130)} ${LINK}`)).body.error_code).toBe(20012);
    expect((await share(`${"a".repeat(258)} ${LINK}`)).status).toBe(200);
  });

  it("refuses the same text twice (20019)", async () => {
    expect((await share(`公告 ${LINK}`)).status).toBe(200);
    expect((await share(`公告 ${LINK}`)).body.error_code).toBe(20019);
  });

  it("limits posts per hour (10024) over a sliding hour", async () => {
    const slow = "2.00slow";
    expect((await share(`一 ${LINK}`, slow)).status).toBe(200);
    at += 1000;
    expect((await share(`二 ${LINK}`, slow)).status).toBe(200);
    expect(platforms.control.weibo("7000000097")).toMatchObject({
      postsLastHour: 2,
      postsPerHour: 2,
    });
    const refused = await share(`三 ${LINK}`, slow);
    expect(refused.status).toBe(403);
    expect(refused.body.error_code).toBe(10024);
    at += 3600 * 1000 - 999;
    expect((await share(`三 ${LINK}`, slow)).status).toBe(200);
  });

  it("takes a JPEG/GIF/PNG picture under 5 MB and hosts it", async () => {
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100, 1)]);
    const r = await share(`图 ${LINK}`, ACCOUNT.accessToken, jpeg);
    expect(r.status).toBe(200);
    expect((await fetch(String(r.body.original_pic))).status).toBe(200);
    expect(
      (await share(`图二 ${LINK}`, ACCOUNT.accessToken, Buffer.from("not an image"))).body
        .error_code,
    ).toBe(20005);
  });

  it("answers 21332 for an unknown token and 21327 once the control API expired it", async () => {
    expect((await share(`公告 ${LINK}`, "nope")).body.error_code).toBe(21332);
    platforms.control.expireTokens("weibo", ACCOUNT.uid);
    expect((await share(`公告 ${LINK}`)).body.error_code).toBe(21327);
  });

  it("answers an injected rate limit for the next call only", async () => {
    platforms.control.injectFault({
      platform: "weibo",
      account: ACCOUNT.uid,
      api: "statuses/share",
      errcode: 10023,
    });
    expect((await share(`公告 ${LINK}`)).body.error_code).toBe(10023);
    expect((await share(`公告 ${LINK}`)).status).toBe(200);
    expect(
      platforms.control.calls({ platform: "weibo", account: ACCOUNT.uid }).map((c) => c.errcode),
    ).toEqual([10023, 0]);
  });
});

describe("Weibo statuses/destroy/biz", () => {
  const destroy = async (token: string, id: string): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${platforms.url}/2/statuses/destroy/biz.json`, {
      method: "POST",
      body: new URLSearchParams({ access_token: token, id }),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  it("is refused to an app that is not commercial (10014)", async () => {
    const id = String((await share(`公告 ${LINK}`)).body.idstr);
    expect(await destroy(ACCOUNT.accessToken, id)).toMatchObject({
      status: 403,
      body: { error_code: 10014 },
    });
    expect(platforms.control.weibo(ACCOUNT.uid).posts[0]?.deleted).toBe(false);
  });

  it("deletes a commercial account's post, which show.json then no longer finds (20101)", async () => {
    const id = String((await share(`公告 ${LINK}`, BIZ.accessToken)).body.idstr);
    expect((await destroy(BIZ.accessToken, id)).status).toBe(200);
    const shown = await fetch(
      `${platforms.url}/2/statuses/show.json?access_token=${BIZ.accessToken}&id=${id}`,
    );
    expect(((await shown.json()) as Json).error_code).toBe(20101);
    expect(platforms.control.weibo(BIZ.uid).posts[0]?.deleted).toBe(true);
  });
});
