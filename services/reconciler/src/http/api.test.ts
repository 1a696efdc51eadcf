import { bearer, OPERATOR, type RunningApp, startApp, VIEWER } from "./test-support";

let app: RunningApp;

beforeEach(async () => {
  app = await startApp();
});

afterEach(async () => {
  await app.close();
});

const get = async (path: string, token = OPERATOR.token) => {
  const res = await app.request(path, { headers: bearer(token) });
  return { status: res.status, body: await res.json(), res };
};

const post = async (path: string, body?: unknown, raw?: string) => {
  const res = await app.request(path, {
    method: "POST",
    headers: { ...bearer(), "content-type": "application/json" },
    ...(raw !== undefined
      ? { body: raw }
      : body !== undefined
        ? { body: JSON.stringify(body) }
        : {}),
  });
  return { status: res.status, body: await res.json() };
};

const PROBLEM = "/api/v1/problems/newmedia/kb-notice-2016-41";

describe("API authentication", () => {
  it("401 with WWW-Authenticate and a hint without a token", async () => {
    const res = await app.request("/api/v1/channels");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await res.json()).toEqual({
      error: {
        code: "unauthenticated",
        message: expect.stringContaining("send Authorization: Bearer <token>"),
      },
    });
  });

  it("401 for an unknown token, 403 for a known user without the operator role", async () => {
    expect((await get("/api/v1/channels", "nope")).status).toBe(401);
    const viewer = await get("/api/v1/channels", VIEWER.token);
    expect(viewer.status).toBe(403);
    expect(viewer.body).toMatchObject({ error: { code: "permission_denied" } });
  });

  it("does not take a session cookie instead of a token", async () => {
    const res = await app.request("/api/v1/channels", {
      headers: { cookie: "herald_reconciler_session=x|1|y" },
    });
    expect(res.status).toBe(401);
  });
});

describe("API reads", () => {
  it("item status with ISO dates, and 404 for an unknown item", async () => {
    const { status, body } = await get("/api/v1/items/kb-notice-2016-41/status");
    expect(status).toBe(200);
    expect(body).toMatchObject({
      itemId: "kb-notice-2016-41",
      version: 2,
      publishedAt: "2016-08-16T02:00:00.000Z",
      channels: expect.arrayContaining([
        expect.objectContaining({ channel: "portal", deliveredAt: "2016-08-16T02:00:01.200Z" }),
      ]),
    });
    expect(await get("/api/v1/items/nope/status")).toMatchObject({
      status: 404,
      body: { error: { code: "not_found", field: "id" } },
    });
  });

  it("the CLI's summary shape", async () => {
    const { body } = await get("/api/v1/items/kb-notice-2016-41/summary");
    expect(body).toEqual({
      id: "kb-notice-2016-41",
      version: 2,
      channels: {
        portal: { state: "delivered", version: 2 },
        newmedia: { state: "failed", version: 1 },
        noticeboard: { state: "pending", version: 2 },
      },
    });
  });

  it("the matrix, filtered and paged", async () => {
    const { status, body } = await get("/api/v1/matrix?state=failed&pageSize=1&page=1");
    expect(status).toBe(200);
    expect(body).toMatchObject({
      page: 1,
      pageSize: 1,
      total: 1,
      channels: ["portal", "newmedia", "noticeboard"],
    });
  });

  it.each([
    ["state=lost", "state", "state must be one of delivered, pending, missing"],
    ["page=0", "page", "page must be a whole number from 1"],
    ["pageSize=501", "pageSize", "pageSize must be a whole number from 1 to 500"],
    ["pageSize=abc", "pageSize", "pageSize must be"],
    ["colour=red", "colour", 'unknown field "colour"'],
    ["state=missing&state=failed", "state", "state must be one of"],
  ])("a bad matrix query %s → 400 naming %s", async (query, field, message) => {
    const { status, body } = await get(`/api/v1/matrix?${query}`);
    expect(status).toBe(400);
    expect(body).toEqual({
      error: { code: "invalid_argument", field, message: expect.stringContaining(message) },
    });
  });

  it("findings, with declined ones only when asked", async () => {
    const { body } = await get("/api/v1/findings?channel=newmedia&declined=true");
    expect(body).toEqual([expect.objectContaining({ channel: "newmedia", kind: "failed" })]);
    expect((await get("/api/v1/findings?declined=yes")).body).toMatchObject({
      error: { field: "declined" },
    });
  });

  it("problems by state and channel, and one problem by channel and item", async () => {
    const all = await get("/api/v1/problems?state=open,acknowledged,resolved");
    expect((all.body as unknown[]).length).toBe(2);
    const open = await get("/api/v1/problems?state=open&channel=newmedia");
    expect(open.body).toEqual([expect.objectContaining({ id: "newmedia/kb-notice-2016-41" })]);
    expect((await get("/api/v1/problems?state=open,closed")).body).toMatchObject({
      error: {
        code: "invalid_argument",
        field: "state",
        message: expect.stringContaining('"closed"'),
      },
    });
    const one = await get(PROBLEM);
    expect(one.body).toMatchObject({
      id: "newmedia/kb-notice-2016-41",
      openedAt: "2016-08-16T03:00:00.000Z",
      actions: [{ action: "opened", by: "reconciler" }],
    });
    expect((await get("/api/v1/problems/newmedia/nope")).status).toBe(404);
  });

  it("the content service as last asked for announcements", async () => {
    expect((await get("/api/v1/content")).body).toEqual({
      address: "127.0.0.1:50051",
      ok: true,
      checkedAt: "2016-08-16T05:59:50.000Z",
      pending: 2,
      notAnnounced: 1,
      readiness: {
        ready: true,
        detail: "relay leading; 1 item(s) set aside since 2016-08-16T05:50:00.000Z",
      },
    });
  });

  it("channels, compliance and the timeline", async () => {
    expect((await get("/api/v1/channels")).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ channel: "portal", announced: true })]),
    );
    expect((await get("/api/v1/compliance")).body).toMatchObject({
      byOffice: [{ key: "海关总署办公厅", total: 4 }],
    });
    const timeline = await get("/api/v1/items/kb-notice-2016-41/timeline");
    expect((timeline.body as { type: string }[]).map((e) => e.type)).toEqual([
      "receipt",
      "published",
      "problem",
    ]);
  });

  it("404 JSON for an unknown route", async () => {
    expect(await get("/api/v1/nothing")).toMatchObject({
      status: 404,
      body: { error: { code: "not_found" } },
    });
    expect((await get("/api/v2/items")).status).toBe(404);
  });
});

describe("API actions", () => {
  it("acknowledge, resolve and redeliver act as the token's operator", async () => {
    expect(await post(`${PROBLEM}/acknowledge`, { note: "在查" })).toMatchObject({
      status: 200,
      body: { id: "newmedia/kb-notice-2016-41", state: "acknowledged" },
    });
    expect((await post(`${PROBLEM}/redeliver`)).status).toBe(200);
    expect((await post(`${PROBLEM}/resolve`, { note: "  已缩短正文后重发  " })).status).toBe(200);
    expect(app.fake.calls).toEqual([
      { action: "acknowledge", id: "newmedia/kb-notice-2016-41", by: OPERATOR.name, note: "在查" },
      {
        action: "forceRedelivery",
        id: "newmedia/kb-notice-2016-41",
        by: OPERATOR.name,
        note: undefined,
      },
      {
        action: "resolve",
        id: "newmedia/kb-notice-2016-41",
        by: OPERATOR.name,
        note: "已缩短正文后重发",
      },
    ]);
  });

  it.each([
    [undefined, "note"],
    [{}, "note"],
    [{ note: "   " }, "note"],
    [{ note: "x".repeat(2001) }, "note"],
    [{ note: 3 }, "note"],
    [{ note: "ok", by: "someone else" }, "by"],
    [[], "body"],
  ])("resolve with %j → 400 naming %s", async (body, field) => {
    const res = await post(`${PROBLEM}/resolve`, body);
    expect(res).toMatchObject({
      status: 400,
      body: { error: { code: "invalid_argument", field } },
    });
    expect(app.fake.calls).toEqual([]);
  });

  it("bad JSON → 400 naming the body; too large → 413", async () => {
    expect(await post(`${PROBLEM}/acknowledge`, undefined, "{not json")).toMatchObject({
      status: 400,
      body: { error: { code: "invalid_argument", field: "body" } },
    });
    const big = await post(`${PROBLEM}/acknowledge`, { note: "x".repeat(17 * 1024) });
    expect(big).toMatchObject({ status: 413, body: { error: { code: "payload_too_large" } } });
  });

  it("an unknown problem → 404; an action the state forbids → 409 naming the field", async () => {
    expect(await post("/api/v1/problems/newmedia/nope/acknowledge", {})).toMatchObject({
      status: 404,
      body: { error: { code: "not_found" } },
    });
    await post(`${PROBLEM}/resolve`, { note: "done" });
    expect(await post(`${PROBLEM}/acknowledge`, {})).toMatchObject({
      status: 409,
      body: { error: { code: "failed_precondition", field: "state" } },
    });
  });

  it("runs an audit of the channels asked for; an unknown channel is a 400", async () => {
    const all = await post("/api/v1/audits");
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ runs: [{ channel: "portal" }, { channel: "newmedia" }] });
    expect((await post("/api/v1/audits", { channels: ["portal"] })).status).toBe(200);
    expect(await post("/api/v1/audits", { channels: ["portal", "nope"] })).toMatchObject({
      status: 400,
      body: { error: { field: "channels" } },
    });
    expect(await post("/api/v1/audits", { channels: ["portal", ""] })).toMatchObject({
      status: 400,
      body: { error: { field: "channels.1" } },
    });
    expect(app.fake.calls.map((c) => c.channels)).toEqual([
      undefined,
      ["portal"],
      ["portal", "nope"],
    ]);
  });
});
