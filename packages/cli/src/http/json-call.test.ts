import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CommandError } from "../content/errors";
import { callJson, type JsonCall } from "./json-call";

/** A service that drops the first connection under its first request, then answers. */
function flakyService(): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests += 1;
    if (requests === 1) {
      request.socket.destroy();
      return;
    }
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ ok: true, method: request.method }));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests: () => requests,
      }),
    ),
  );
}

const refusal = (status: number) => new CommandError(`refused ${status}`);

describe("callJson on a connection closed before the answer", () => {
  let service: Awaited<ReturnType<typeof flakyService>>;
  beforeEach(async () => {
    service = await flakyService();
  });
  afterEach(() => new Promise<void>((done) => service.server.close(() => done())));

  const call = (method: JsonCall["method"]): JsonCall => ({
    service: "the test service",
    url: service.url,
    token: "t",
    method,
    path: "/api/x",
    ...(method === "POST" ? { body: {} } : {}),
  });

  it("asks a GET again once, on a new connection", async () => {
    await expect(callJson(call("GET"), refusal)).resolves.toEqual({ ok: true, method: "GET" });
    expect(service.requests()).toBe(2);
  });

  it("does not repeat a POST, and says the service could not be reached", async () => {
    await expect(callJson(call("POST"), refusal)).rejects.toThrow(
      /cannot reach the test service at http:\/\/127\.0\.0\.1:\d+/,
    );
    expect(service.requests()).toBe(1);
  });
});
