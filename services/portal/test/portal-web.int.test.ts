/**
 * The website's display switch and URLs through the portal service as it runs
 * (config from its environment, the real Kafka and database): `back`
 * normalised before it is judged, Secure cookies behind the trusted proxy,
 * and 400 for malformed percent-encoding.
 */
import { waitFor, useTestNamespace } from "@herald/test-harness";
import type { PortalService } from "../src";
import { startPortal } from "./support";

const ns = useTestNamespace("portal-web");
let portal: PortalService;

beforeAll(async () => {
  portal = await startPortal(ns, undefined, { env: { PORTAL_TRUST_PROXY: "loopback" } });
  await waitFor(() => portal.ready().ok, { description: "the site loaded" });
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${portal.httpPort}${path}`, { redirect: "manual", headers });

describe("the running portal", () => {
  it("sends the display switch back to a path on the site only", async () => {
    for (const back of ["/a/../..//evil.example", "/./\\evil.example", "/%5Cevil.example"]) {
      const res = await get(`/display?mode=large&back=${encodeURIComponent(back)}`);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/");
    }
    const ok = await get(`/display?mode=large&back=${encodeURIComponent("/x/../catalogue")}`);
    expect(ok.headers.get("location")).toBe("/catalogue");
  });

  it("sets a Secure cookie when the trusted proxy says https, and not otherwise", async () => {
    const https = await get("/display?mode=contrast&back=/", { "x-forwarded-proto": "https" });
    expect(https.headers.get("set-cookie")).toMatch(/; Secure$/);
    const plain = await get("/display?mode=contrast&back=/");
    expect(plain.headers.get("set-cookie")).not.toMatch(/Secure/);
  });

  it("answers 400 to malformed percent-encoding", async () => {
    for (const path of ["/items/%E0%A4%A", "/search?q=%zz"]) {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("网址中的百分号编码（%XX）有误");
    }
  });
});
