import { join } from "node:path";
import { stackSettings } from "../stack/settings";
import { outletGatewayPart, outletGatewayProcessEnv } from "./outlet-gateway-part";
import { heraldParts } from "./parts";

const home = "/tmp/herald-outlet-gateway-part";
const secret = (name: string) => join(home, "secrets", name);

describe("the outlet gateway as a part of herald up", () => {
  it("starts after content and before the reconciler, which must read its announcements", () => {
    const names = heraldParts(stackSettings({ HERALD_HOME: home }))
      .map((part) => part.name)
      .filter((name) => ["content", "portal", "outlet-gateway", "reconciler"].includes(name));
    expect(names).toEqual(["content", "portal", "outlet-gateway", "reconciler"]);
  });

  it("runs with the local stack, its ports, its token files and the content service to redeliver from", () => {
    const environment = {
      HERALD_HOME: home,
      HERALD_OUTLET_GATEWAY_GRPC_PORT: "51060",
      HEALTH_PORT: "9999",
    };
    const env = outletGatewayProcessEnv(stackSettings(environment), environment);
    expect(env).toMatchObject({
      KAFKA_BROKERS: "127.0.0.1:9092",
      MONGO_URL: expect.stringMatching(/^mongodb:\/\/127\.0\.0\.1:27017/),
      OUTLET_GRPC_HOST: "127.0.0.1",
      OUTLET_GRPC_PORT: "51060",
      OUTLET_HTTP_HOST: "127.0.0.1",
      OUTLET_HTTP_PORT: "4700",
      OUTLET_ADMIN_TOKENS_FILE: secret("outlet-admin-tokens.json"),
      OUTLET_INVENTORY_TOKENS_FILE: secret("inventory-tokens.json"),
      OUTLET_CONTENT_GRPC: "127.0.0.1:50051",
      OUTLET_CONTENT_TOKEN_FILE: secret("outlet-gateway-content-token"),
    });
    expect(env).not.toHaveProperty("HEALTH_PORT");
  });

  it("says where outlets connect and where its admin API and log are", () => {
    const stack = stackSettings({});
    const part = outletGatewayPart(stack, {});
    expect(part.name).toBe("outlet-gateway");
    expect(part.details?.()).toEqual([
      "outlet gateway    127.0.0.1:50060 (gRPC; `./herald outlet add <name> --kinds …` registers an outlet)",
      "outlet admin      http://127.0.0.1:4700/admin/outlets",
      `outlet log        ${join(stack.home, "services", "outlet-gateway", "outlet-gateway.log")}`,
    ]);
  });

  it("refuses port 0, which herald up cannot tell the commands", () => {
    expect(() =>
      outletGatewayPart(stackSettings({}), { HERALD_OUTLET_GATEWAY_HTTP_PORT: "0" }),
    ).toThrow(/HERALD_OUTLET_GATEWAY_HTTP_PORT/);
  });
});
