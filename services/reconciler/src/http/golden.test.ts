/**
 * Golden output of the overview and the matrix over the fixture data, served
 * by the real app. After an intended change to the templates or views,
 * refresh the files with
 *
 *   UPDATE_GOLDEN=1 npx jest --selectProjects unit --testPathPatterns services/reconciler/src/http/golden
 *
 * and review the diff of __golden__/ like any other change. The files end in
 * .golden, not .html, so that Prettier leaves the exact output alone.
 */
import { join } from "node:path";
import { expectGolden as expectGoldenIn } from "@herald/web/testing";
import { bearer, type RunningApp, startApp } from "./test-support";

const GOLDEN_DIR = join(__dirname, "__golden__");

const expectGolden = (name: string, html: string) => expectGoldenIn(GOLDEN_DIR, name, html);

let app: RunningApp;

beforeAll(async () => {
  app = await startApp();
});

afterAll(async () => {
  await app.close();
});

const html = async (path: string) => {
  const res = await app.request(path, { headers: bearer() });
  expect(res.status).toBe(200);
  return res.text();
};

describe("golden pages", () => {
  it("overview", async () => {
    expectGolden("overview.golden", await html("/"));
  });

  it("matrix", async () => {
    expectGolden("matrix.golden", await html("/matrix?pageSize=1"));
  });
});
