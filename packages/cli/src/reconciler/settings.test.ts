import { join } from "node:path";
import { ConfigError } from "@herald/runtime";
import { stackSettings } from "../stack/settings";
import { reconcilerGrpcAddress, reconcilerSettings, reconcilerUrl } from "./settings";

const home = "/tmp/herald-reconciler-settings";
const stack = () => stackSettings({ HERALD_HOME: home });

describe("where herald up runs the reconciler", () => {
  it("defaults to the design's ports: HTTP 4500, health 4501, gRPC 50070", () => {
    const settings = reconcilerSettings(stack(), {});
    expect(settings).toMatchObject({
      host: "127.0.0.1",
      httpPort: 4500,
      healthPort: 4501,
      grpcPort: 50070,
      dir: join(home, "services", "reconciler"),
      pidFile: join(home, "services", "reconciler", "reconciler.pid"),
      logFile: join(home, "services", "reconciler", "reconciler.log"),
      main: join(stack().root, "services", "reconciler", "src", "main.ts"),
    });
    expect(settings.secrets.tokensFile).toBe(join(home, "secrets", "tokens.json"));
    expect(reconcilerUrl(settings)).toBe("http://127.0.0.1:4500");
    expect(reconcilerGrpcAddress(settings)).toBe("127.0.0.1:50070");
  });

  it("moves to the ports the HERALD_RECONCILER_* variables name", () => {
    const settings = reconcilerSettings(stack(), {
      HERALD_RECONCILER_PORT: "14500",
      HERALD_RECONCILER_HEALTH_PORT: "14501",
      HERALD_RECONCILER_GRPC_PORT: "15070",
    });
    expect(settings).toMatchObject({ httpPort: 14500, healthPort: 14501, grpcPort: 15070 });
    expect(reconcilerUrl(settings)).toBe("http://127.0.0.1:14500");
    expect(reconcilerGrpcAddress(settings)).toBe("127.0.0.1:15070");
  });

  it("refuses port 0: the commands must know where it listens", () => {
    expect(() => reconcilerSettings(stack(), { HERALD_RECONCILER_PORT: "0" })).toThrow(ConfigError);
    expect(() => reconcilerSettings(stack(), { HERALD_RECONCILER_GRPC_PORT: "x" })).toThrow(
      /HERALD_RECONCILER_GRPC_PORT/,
    );
  });
});
