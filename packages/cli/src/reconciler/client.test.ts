import { reconcilerRefusal } from "./client";

describe("the reconciler's refusals", () => {
  it("name the leader when a standby answered, and say where to ask", () => {
    const body = { error: { code: "unavailable", message: "standing by; the leader is rec-a" } };
    const error = reconcilerRefusal(503, body, JSON.stringify(body));
    expect(error.status).toBe(503);
    expect(error.message).toBe(
      "the reconciler answered 503 unavailable: standing by; the leader is rec-a; point HERALD_RECONCILER_URL at the leader, or wait for this one to take over",
    );
  });

  it("say what a token refusal means", () => {
    const error = reconcilerRefusal(401, { error: { code: "unauthenticated", message: "no" } }, "");
    expect(error.message).toContain("check HERALD_OPERATOR_TOKEN");
  });
});
