import { MAX_MESSAGE_BYTES } from "@herald/contracts";
import { BROKER_MESSAGE_MAX_BYTES, newClusterId, serverProperties } from "./kafka";
import { stackSettings } from "./settings";

describe("newClusterId", () => {
  it("is 16 bytes in base64url, 22 characters", () => {
    const id = newClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, "base64url")).toHaveLength(16);
  });

  it("never starts with '-', which kafka-storage would read as an option", () => {
    // 0xf8 encodes to "-" as the first base64url character; the second draw does not.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)];
    const id = newClusterId(() => draws.shift()!);
    expect(Buffer.alloc(16, 0xf8).toString("base64url").startsWith("-")).toBe(true);
    expect(id).toBe(Buffer.alloc(16, 0x01).toString("base64url"));
    expect(draws).toHaveLength(0);
  });
});

/** The properties file as key → value; a key set twice is an error (the broker takes the last). */
function parseProperties(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const at = line.indexOf("=");
    const key = line.slice(0, at);
    if (entries.has(key)) throw new Error(`${key} is set twice`);
    entries.set(key, line.slice(at + 1));
  }
  return entries;
}

describe("serverProperties", () => {
  const properties = parseProperties(
    serverProperties(stackSettings({ HERALD_HOME: "/tmp/herald-home-for-a-unit-test" })),
  );

  it("lets a record batch carry Herald's largest record with its framing", () => {
    const messageMaxBytes = Number(properties.get("message.max.bytes"));
    expect(messageMaxBytes).toBe(BROKER_MESSAGE_MAX_BYTES);
    expect(messageMaxBytes).toBeGreaterThan(MAX_MESSAGE_BYTES);
  });

  it("fetches for replicas at least what a producer may write", () => {
    expect(Number(properties.get("replica.fetch.max.bytes"))).toBeGreaterThanOrEqual(
      Number(properties.get("message.max.bytes")),
    );
  });
});
