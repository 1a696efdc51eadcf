import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useTestNamespace } from "@herald/test-harness";
import type { ContentService } from "../src/service";
import { api, startContent, TopicReader } from "./support";

const ns = useTestNamespace("content-deadlines");
const topic = new TopicReader(ns);
const running: ContentService[] = [];

beforeAll(() => topic.start());
ns.beforeCleanup(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await topic.stop();
});

/** A year the State Council has not published yet, corrected by the operator's file. */
function calendarFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), "herald-calendar-")), "calendar.json");
  const year = {
    holidays: { "2027-01-01": "元旦", "2027-01-05": "示例假日", "2027-01-06": "示例假日" },
    complete: true,
  };
  writeFileSync(path, JSON.stringify({ years: { "2027": year } }));
  return path;
}

const formedOn = (id: string) => ({
  id,
  kind: "news",
  title: "二〇二七年的信息",
  body: "<p>正文</p>",
  dates: { formedAt: "2027-01-04" },
});

describe("deadlines on the ItemState", () => {
  it("follow the calendar file, and are provisional in a year nobody published", async () => {
    const plain = await startContent(ns);
    running.push(plain);
    const first = await api(
      plain,
      "POST",
      "/publish",
      "admin",
      formedOn("deadline-unpublished-year"),
    );
    const provisional = await topic.waitFor(first.body.id as string, 1);
    // 20 working days after Monday 4 January 2027, weekends off only.
    expect(provisional.deadline).toEqual({
      dueAt: new Date("2027-02-01T23:59:59.999+08:00"),
      rule: "proactive-20-working-days",
      provisional: true,
    });
    await plain.stop();
    running.pop();

    const corrected = await startContent(ns, { HERALD_CALENDAR_FILE: calendarFile() });
    running.push(corrected);
    const second = await api(
      corrected,
      "POST",
      "/publish",
      "admin",
      formedOn("deadline-corrected-year"),
    );
    const state = await topic.waitFor(second.body.id as string, 1);
    // 5 and 6 January are days off in the file, and the file says 2027 is complete.
    expect(state.deadline).toEqual({
      dueAt: new Date("2027-02-03T23:59:59.999+08:00"),
      rule: "proactive-20-working-days",
      provisional: false,
    });
  });
});
