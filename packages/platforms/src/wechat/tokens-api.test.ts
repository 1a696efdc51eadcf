import { APP, fx, post, get, token, type Json } from "../../test/wechat-client";

beforeEach(() => fx.start());
afterEach(() => fx.stop());

describe("WeChat tokens", () => {
  it("keeps the previous cgi-bin/token valid for five minutes, then answers 40001", async () => {
    const first = await token();
    const second = await token();
    expect(second).not.toBe(first);
    const probe = async (at: string): Promise<unknown> =>
      (await post(`/cgi-bin/draft/get?access_token=${at}`, { media_id: "none" })).errcode;
    expect(await probe(first)).toBe(40007);
    fx.clock.advance(5 * 60 * 1000 - 1);
    expect(await probe(first)).toBe(40007);
    fx.clock.advance(1);
    expect(await probe(first)).toBe(40001);
    expect(await probe(second)).toBe(40007);
  });

  it("expires a token after 7200 s with 42001, and tells malformed (40014) from unknown (40001) tokens", async () => {
    const at = await token();
    fx.clock.advance(7200 * 1000);
    expect((await post(`/cgi-bin/draft/get?access_token=${at}`, { media_id: "x" })).errcode).toBe(
      42001,
    );
    expect((await post(`/cgi-bin/draft/get?access_token=not a token`, {})).errcode).toBe(40014);
    expect((await post(`/cgi-bin/draft/get?access_token=1_${"a".repeat(40)}`, {})).errcode).toBe(
      40001,
    );
    expect((await post(`/cgi-bin/draft/get`, {})).errcode).toBe(41001);
  });

  it("refuses wrong credentials with 40013 and 40125", async () => {
    expect(
      (await get(`/cgi-bin/token?grant_type=client_credential&appid=wxnobody&secret=x`)).errcode,
    ).toBe(40013);
    expect(
      (await get(`/cgi-bin/token?grant_type=client_credential&appid=${APP.appId}&secret=wrong`))
        .errcode,
    ).toBe(40125);
  });

  it("returns the same stable token until its last five minutes, and limits force_refresh to 20 a day", async () => {
    const call = (force: boolean): Promise<Json> =>
      post(`/cgi-bin/stable_token`, {
        grant_type: "client_credential",
        appid: APP.appId,
        secret: APP.secret,
        force_refresh: force,
      });
    const a = await call(false);
    fx.clock.advance(1000);
    const b = await call(false);
    expect(b.access_token).toBe(a.access_token);
    expect(b.expires_in).toBe(7199);
    fx.clock.advance(7200 * 1000 - 5 * 60 * 1000);
    const c = await call(false);
    expect(c.access_token).not.toBe(a.access_token);
    for (let i = 0; i < 20; i++) {
      fx.clock.advance(31 * 1000);
      const r = await call(true);
      expect(r.errcode).toBeUndefined();
    }
    fx.clock.advance(31 * 1000);
    expect((await call(true)).errcode).toBe(45009);
    // The limit is per Asia/Shanghai day.
    fx.clock.advance(24 * 3600 * 1000);
    expect((await call(true)).errcode).toBeUndefined();
  });

  it("keeps stable_token and cgi-bin/token tokens apart: a new token does not cut the stable one short", async () => {
    const stable = await post(`/cgi-bin/stable_token`, {
      grant_type: "client_credential",
      appid: APP.appId,
      secret: APP.secret,
    });
    await token();
    await token();
    fx.clock.advance(10 * 60 * 1000);
    const probe = await post(`/cgi-bin/draft/get?access_token=${String(stable.access_token)}`, {
      media_id: "none",
    });
    expect(probe.errcode).toBe(40007);
  });
});
