import { join } from "node:path";
import { stackSettings } from "../stack/settings";
import { reconcilerPart, reconcilerProcessEnv } from "./reconciler-part";

const home = "/tmp/herald-reconciler-part";
const secret = (name: string) => join(home, "secrets", name);

describe("the reconciler as a part of herald up", () => {
  it("runs with the local stack, its ports, its credential files, and the portal as a channel", () => {
    const environment = { HERALD_HOME: home, HERALD_PORTAL_INVENTORY_PORT: "51100" };
    const env = reconcilerProcessEnv(stackSettings(environment), environment);
    expect(env).toMatchObject({
      KAFKA_BROKERS: "127.0.0.1:9092",
      MONGO_URL: expect.stringMatching(/^mongodb:\/\/127\.0\.0\.1:27017/),
      RECONCILER_HTTP_HOST: "127.0.0.1",
      RECONCILER_HTTP_PORT: "4500",
      RECONCILER_GRPC_HOST: "127.0.0.1",
      RECONCILER_GRPC_PORT: "50070",
      HEALTH_HOST: "127.0.0.1",
      HEALTH_PORT: "4501",
      RECONCILER_TOKENS_FILE: secret("reconciler-tokens.json"),
      RECONCILER_SESSION_SECRET_FILE: secret("reconciler-session-secret"),
      RECONCILER_INVENTORY_TOKEN_FILE: secret("reconciler-inventory-token"),
      RECONCILER_CHANNELS: "portal=127.0.0.1:51100",
      RECONCILER_CONTENT_ADDRESS: "127.0.0.1:50051",
      RECONCILER_CONTENT_TOKEN_FILE: secret("reconciler-content-token"),
    });
  });

  it("says where the dashboard is and which file holds the token to sign in, never the token", () => {
    const stack = stackSettings({});
    const part = reconcilerPart(stack, {});
    expect(part.name).toBe("reconciler");
    expect(part.details?.()).toEqual([
      "reconciler        http://127.0.0.1:4500 (dashboard; sign in with the operator token in .herald/secrets/tokens.json)",
      "reconciler gRPC   127.0.0.1:50070",
      `reconciler log    ${join(stack.home, "services", "reconciler", "reconciler.log")}`,
    ]);
  });

  it("names the tokens file in full when the home is outside the repository", () => {
    const part = reconcilerPart(stackSettings({ HERALD_HOME: home }), {
      HERALD_RECONCILER_PORT: "14500",
    });
    expect(part.details?.()[0]).toBe(
      `reconciler        http://127.0.0.1:14500 (dashboard; sign in with the operator token in ${secret("tokens.json")})`,
    );
  });
});
