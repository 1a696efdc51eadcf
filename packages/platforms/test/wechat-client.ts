/** Helpers for the WeChat API tests: a hand-moved clock, the emulator, and a small client. */
import { startPlatforms, type Platforms, type StartPlatformsOptions } from "../src/index";

/** A clock the tests move by hand: every time rule of the emulator reads it. */
export class TestClock {
  // 2026-12-05 10:00 in Asia/Shanghai.
  at = Date.UTC(2026, 11, 5, 2, 0, 0);
  now = (): number => this.at;
  advance(ms: number): void {
    this.at += ms;
  }
}

export const APP = {
  appId: "wxtest0000000001",
  secret: "s3cret-of-the-test-account",
  name: "测试公众号",
};
export const jpeg = (bytes: number): Buffer =>
  Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(bytes - 4, 7)]);
export const png = (bytes: number): Buffer =>
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.alloc(bytes - 8, 3),
  ]);

export type Json = Record<string, unknown>;

/** The emulator and clock of the running test, set by start() in beforeEach. */
export const fx = {
  clock: new TestClock(),
  platforms: undefined as unknown as Platforms,
  async start(options: StartPlatformsOptions = {}): Promise<void> {
    fx.clock = new TestClock();
    fx.platforms = await startPlatforms({
      now: fx.clock.now,
      publishJobMs: 2000,
      wechat: [APP, { appId: "wxunverified00001", secret: "x", name: "未认证", verified: false }],
      ...options,
    });
  },
  async stop(): Promise<void> {
    await fx.platforms.close();
  },
};

export async function post(path: string, body: unknown): Promise<Json> {
  const res = await fetch(`${fx.platforms.url}${path}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

export async function get(path: string): Promise<Json> {
  return (await (await fetch(`${fx.platforms.url}${path}`)).json()) as Json;
}

export async function upload(path: string, data: Buffer, name = "a.jpg"): Promise<Json> {
  const form = new FormData();
  form.append("media", new Blob([data]), name);
  return (await (
    await fetch(`${fx.platforms.url}${path}`, { method: "POST", body: form })
  ).json()) as Json;
}

export async function token(): Promise<string> {
  const r = await get(
    `/cgi-bin/token?grant_type=client_credential&appid=${APP.appId}&secret=${APP.secret}`,
  );
  expect(r.expires_in).toBe(7200);
  return String(r.access_token);
}

export async function thumb(at: string): Promise<string> {
  const r = await upload(
    `/cgi-bin/material/add_material?type=thumb&access_token=${at}`,
    jpeg(2000),
  );
  expect(r.errcode).toBeUndefined();
  return String(r.media_id);
}

export function article(thumbId: string, over: Json = {}): Json {
  return {
    title: "海关总署发布公告",
    author: "海关",
    digest: "",
    content: "<p>正文内容</p>",
    content_source_url: "http://127.0.0.1/item/1",
    thumb_media_id: thumbId,
    ...over,
  };
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}
