import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { standbyReply } from "./standby";

describe("a standby's HTTP answer", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) =>
      standbyReply(req, res, "standing by; the leader is <rec-a>"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("is a page that names the leader and reloads only when the operator asks", async () => {
    const response = await fetch(`${base}/matrix?channel=portal`);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    const html = await response.text();
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain("standing by; the leader is &lt;rec-a&gt;");
    expect(html).not.toMatch(/http-equiv="refresh"/i);
    expect(html).toContain('<a href="/matrix">重新载入本页</a>');
  });

  it("answers JSON under /api", async () => {
    const response = await fetch(`${base}/api/v1/findings`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: { code: "unavailable", message: "standing by; the leader is <rec-a>" },
    });
  });
});
