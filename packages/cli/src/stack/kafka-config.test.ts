import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { MAX_MESSAGE_BYTES } from "@herald/contracts";
import {
  BROKER_MESSAGE_MAX_BYTES,
  kafkaConfigOutdated,
  kafkaPaths,
  serverProperties,
} from "./kafka-config";
import { stackSettings } from "./settings";

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

  it("is the broker's configuration: listeners on the chosen ports, data in the home", () => {
    expect(properties.get("listeners")).toBe(
      "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093",
    );
    expect(properties.get("log.dirs")).toBe("/tmp/herald-home-for-a-unit-test/stack/kafka/data");
  });

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

describe("kafkaConfigOutdated", () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "herald-kafka-config-"));
  });
  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  function writeProperties(text: string) {
    const settings = stackSettings({ HERALD_HOME: home });
    const file = kafkaPaths(settings).properties;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return { settings, file };
  }

  it("is undefined for a broker that was never configured", () => {
    expect(kafkaConfigOutdated(stackSettings({ HERALD_HOME: home }))).toBeUndefined();
  });

  it("is undefined when the broker runs with what a start would write now", () => {
    const settings = stackSettings({ HERALD_HOME: home });
    writeProperties(serverProperties(settings));
    expect(kafkaConfigOutdated(settings)).toBeUndefined();
  });

  it("names the file when the broker was started with other settings (an older Herald)", () => {
    const settings = stackSettings({ HERALD_HOME: home });
    const older = serverProperties(settings).replace(/^message\.max\.bytes=.*\n/m, "");
    const { file } = writeProperties(older);
    expect(kafkaConfigOutdated(settings)).toBe(`it runs with an older ${file}`);
  });
});
