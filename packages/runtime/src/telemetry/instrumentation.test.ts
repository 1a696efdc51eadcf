import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { startTelemetry } from "./sdk";

interface Received {
  path: string;
  body: string;
}

const runtimeDir = join(__dirname, "../..");

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

/** Runs `script` in a new Node process started the way services start: instrumentation first. */
function runInstrumented(script: string, env: Record<string, string>): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=herald-source",
        "--import",
        "./src/telemetry/instrumentation.ts",
        "-e",
        script,
      ],
      { cwd: runtimeDir, env: { ...process.env, ...env }, stdio: "inherit" },
    );
    child.once("close", resolve);
  });
}

describe("telemetry", () => {
  let collector: Server;
  const received: Received[] = [];

  beforeAll(async () => {
    // A stand-in OTLP/HTTP collector on loopback that records what exporters post.
    collector = createServer((req, res) => {
      void readBody(req).then((body) => {
        received.push({ path: req.url ?? "", body });
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => collector.close(() => resolve()));
  });

  it("is off unless an OTLP endpoint is configured", () => {
    expect(startTelemetry({})).toBeUndefined();
    expect(
      startTelemetry({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1",
        OTEL_SDK_DISABLED: "true",
      }),
    ).toBeUndefined();
  });

  it("exports a service's spans over OTLP/HTTP when loaded with --import", async () => {
    const { port } = collector.address() as AddressInfo;
    const code = await runInstrumented(
      `require("@opentelemetry/api").trace.getTracer("t").startSpan("apply hg-2016-0030").end();`,
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/`,
        OTEL_SERVICE_NAME: "herald-portal",
      },
    );
    expect(code).toBe(0);
    expect(received.map((r) => r.path)).toEqual(["/v1/traces"]);
    expect(received[0]?.body).toContain("apply hg-2016-0030");
    expect(received[0]?.body).toContain("herald-portal");
  });
});
