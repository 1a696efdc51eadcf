/* eslint-disable no-console -- a command-line program: its output is for the operator */
import { join } from "node:path";
import { startPortNotices } from "./outlet";

function required(name: string, what: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`port-notices: ${name} is required: ${what}`);
    process.exit(2);
  }
  return value;
}

function listenOf(raw: string): { host: string; port: number } {
  const at = raw.lastIndexOf(":");
  const port = Number(raw.slice(at + 1));
  if (at < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`port-notices: PORT_NOTICES_LISTEN=${raw} must be host:port`);
    process.exit(2);
  }
  return { host: raw.slice(0, at) || "127.0.0.1", port };
}

async function main(): Promise<void> {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    console.log(`port-notices ${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}`);
  const notices = await startPortNotices({
    gateway: process.env.HERALD_GATEWAY ?? "127.0.0.1:50060",
    credential: required("HERALD_OUTLET_TOKEN", "the credential `herald outlet add` printed"),
    outlet: process.env.HERALD_OUTLET_NAME ?? "port-notices",
    file: process.env.PORT_NOTICES_FILE ?? join(__dirname, "..", "data", "notices.json"),
    listen: listenOf(process.env.PORT_NOTICES_LISTEN ?? "127.0.0.1:8791"),
    logger: { info: log("info"), warn: log("warn") },
  });
  // Printed so that a supervisor (or a test) started with port 0 can find it.
  console.log(`port-notices: listing on http://127.0.0.1:${notices.listingPort}/`);
  notices.outlet.on("state", (state, detail) => {
    console.log(`port-notices: ${state}${detail ? `: ${detail}` : ""}`);
    if (state === "refused") process.exitCode = 1;
    if (state === "refused") void notices.close();
  });
  const stop = () => void notices.close();
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => {
  console.error(`port-notices: ${(error as Error).message}`);
  process.exit(1);
});
