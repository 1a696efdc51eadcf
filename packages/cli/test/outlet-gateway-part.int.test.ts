import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import {
  type ConnectRequest,
  type ConnectResponse,
  ItemKind,
  ItemState,
  ItemStatus,
  OutletGatewayClient,
  ProtocolVersion,
  Topics,
} from "@herald/contracts";
import { ROOT, herald, testStack, useTestNamespace, waitFor } from "@herald/test-harness";
import { testProducer } from "@herald/test-harness/topics";
import { outletStatusLines } from "../src/outlet/status";
import { stackSettings } from "../src/stack/settings";
import { outletGatewayPart } from "../src/up/outlet-gateway-part";
import { down, upDetached } from "../src/up/up";
import { freePort, tempDir } from "./content-support";

const home = tempDir("cli-outlet");
const ns = useTestNamespace("cli-outlet");
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  // The running test stack stands in for the local one; the gateway gets ports,
  // topics, a database and consumer groups of its own.
  env = {
    ...process.env,
    HERALD_HOME: home,
    HERALD_KAFKA_PORT: testStack().brokers[0]!.split(":").pop(),
    HERALD_FERRETDB_PORT: new URL(testStack().mongoUrl).port || "27017",
    HERALD_OUTLET_GATEWAY_GRPC_PORT: String(await freePort()),
    HERALD_OUTLET_GATEWAY_HTTP_PORT: String(await freePort()),
    HERALD_TOPIC_PREFIX: ns.topicPrefix,
    HERALD_TOPIC_PARTITIONS: "1",
    OUTLET_DB: ns.dbName("outlet"),
    OUTLET_GROUP_PREFIX: ns.groupId("outlet-"),
    OUTLET_REGISTRY_POLL_MS: "500",
    // The test's raw streams send no heartbeats; CLI calls between steps take seconds.
    OUTLET_HEARTBEAT_MS: "120000",
    HERALD_OUTLET_GATEWAY_URL: "",
    HERALD_OUTLET_ADMIN_TOKEN: "",
  };
  // Stopped (if a test failed half-way) before the namespace's topics and databases go.
  ns.beforeCleanup(async () => {
    await outletGatewayPart(stackSettings(env), env).stop();
    rmSync(home, { recursive: true, force: true });
  });
});

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** An outlet's stream, opened with a Hello; resolves with the Welcome or the stream's error. */
function connect(outlet: string, credential: string) {
  const client = new OutletGatewayClient(
    `127.0.0.1:${env.HERALD_OUTLET_GATEWAY_GRPC_PORT}`,
    grpc.credentials.createInsecure(),
  );
  const stream = client.connect();
  const ended = new Promise<grpc.ServiceError | undefined>((resolve) => {
    stream.on("error", (error: grpc.ServiceError) => resolve(error));
    stream.on("end", () => resolve(undefined));
  });
  const welcome = new Promise<ConnectResponse>((resolve, reject) => {
    stream.on("data", (message: ConnectResponse) => {
      if (message.body?.$case === "welcome") resolve(message);
    });
    void ended.then((error) => reject(error ?? new Error("stream ended before a Welcome")));
  });
  const hello: ConnectRequest = {
    body: {
      $case: "hello",
      value: {
        outlet,
        credential,
        instanceId: `cli-test-${outlet}`,
        protocolVersion: ProtocolVersion.PROTOCOL_VERSION_1,
        initialCredit: 0,
        userAgent: "herald cli test",
      },
    },
  };
  stream.write(hello);
  const close = () => {
    stream.cancel();
    client.close();
  };
  return { welcome, ended, close };
}

interface Listed {
  gateway: string;
  outlets: {
    name: string;
    channel: string;
    connected: unknown[];
    revokedAt: string | null;
    lag: number | null;
    policy: { kinds: string[]; audiences: string[]; keepsWithdrawn: boolean };
  }[];
}

function listJson(): Listed {
  const listed = herald(["outlet", "list", "--json"], env);
  expect(listed.stderr).toBe("");
  return JSON.parse(listed.stdout) as Listed;
}

describe("the outlet gateway as a part of herald up, and herald outlet", () => {
  it("starts with an admin token of its own, registers, lists, revokes and rotates outlets, and stops", async () => {
    const stack = stackSettings(env);
    const parts = [outletGatewayPart(stack, env)];
    const grpcAddress = `127.0.0.1:${env.HERALD_OUTLET_GATEWAY_GRPC_PORT}`;
    const url = `http://127.0.0.1:${env.HERALD_OUTLET_GATEWAY_HTTP_PORT}`;
    expect((await parts[0]!.status()).state).toBe("stopped");

    const lines: string[] = [];
    await upDetached(stack, parts, (line) => lines.push(line));
    const printed = lines.join("\n");
    expect(printed).toContain(`outlet-gateway  ready     gRPC ${grpcAddress}, admin ${url}`);
    expect(printed).toContain(`outlet gateway    ${grpcAddress} (gRPC;`);
    expect(printed).toContain(`outlet admin      ${url}/admin/outlets`);
    const log = join(home, "services", "outlet-gateway", "outlet-gateway.log");
    expect(printed).toContain(`outlet log        ${log}`);
    expect(
      readFileSync(join(home, "services", "outlet-gateway", "outlet-gateway.pid"), "utf8"),
    ).toContain(join(ROOT, "services/outlet-gateway/src/main.ts"));
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // The admin token is in the local credentials; the gateway's file holds its hash only.
    const tokens = JSON.parse(readFileSync(join(home, "secrets", "tokens.json"), "utf8")) as {
      outletAdminToken: string;
    };
    expect(tokens.outletAdminToken).toMatch(/^hrld_/);
    expect(printed).not.toContain(tokens.outletAdminToken);
    const adminFile = readFileSync(join(home, "secrets", "outlet-admin-tokens.json"), "utf8");
    expect(JSON.parse(adminFile)).toEqual({
      tokens: [{ name: "operator", roles: ["admin"], sha256: sha256(tokens.outletAdminToken) }],
    });

    // Bad input is refused before any request, naming the field and the rule.
    const badName = herald(["outlet", "add", "Credit_Registry", "--kinds", "news"], env);
    expect(badName.status).toBe(1);
    expect(badName.stderr).toBe(
      'herald: name: "Credit_Registry" breaks the rule outlet-name (^[a-z][a-z0-9-]{0,55}$): lower-case letters, digits and dashes, starting with a letter, at most 56 characters\n',
    );
    const badKind = herald(["outlet", "add", "registry", "--kinds", "news,penalties"], env);
    expect(badKind.status).toBe(1);
    expect(badKind.stderr).toMatch(
      /^herald: --kinds: unknown "penalties"; expected one or more of news, .*administrative-penalty/,
    );
    const badAudience = herald(
      ["outlet", "add", "registry", "--kinds", "news", "--audiences", "everyone"],
      env,
    );
    expect(badAudience.stderr).toBe(
      'herald: --audiences: unknown "everyone"; expected one or more of public, internal\n',
    );
    const noKinds = herald(["outlet", "add", "registry"], env);
    expect(noKinds.status).not.toBe(0);
    expect(noKinds.stderr).toContain("required option '--kinds <kinds>' not specified");

    // add --json: the credential once, and where to connect.
    const added = herald(
      [
        "outlet",
        "add",
        "credit-registry",
        "--kinds",
        "administrative-penalty,administrative-licence",
        "--audiences",
        "public",
        "--keeps-withdrawn",
        "--json",
      ],
      env,
    );
    expect(added.stderr).toBe("");
    const registry = JSON.parse(added.stdout) as {
      name: string;
      channel: string;
      credential: string;
      gateway: string;
      policy: Listed["outlets"][number]["policy"];
    };
    expect(registry).toMatchObject({
      name: "credit-registry",
      channel: "outlet-credit-registry",
      gateway: grpcAddress,
      policy: {
        kinds: ["administrative-penalty", "administrative-licence"],
        audiences: ["public"],
        keepsWithdrawn: true,
      },
    });
    expect(registry.credential.length).toBeGreaterThanOrEqual(20);

    // add, human form: the credential and the variables the example outlets read.
    const human = herald(["outlet", "add", "port-notices", "--kinds", "all"], env);
    expect(human.stderr).toBe("");
    expect(human.stdout).toContain(
      "outlet port-notices registered; the reconciler audits it as channel outlet-port-notices",
    );
    expect(human.stdout).toContain("  kinds            all\n");
    expect(human.stdout).toContain(`  HERALD_GATEWAY=${grpcAddress}\n`);
    const portCredential = /HERALD_OUTLET_TOKEN=(\S+)/.exec(human.stdout)?.[1];
    expect(portCredential).toBeDefined();
    expect(human.stdout).toContain(
      `credential (shown once; the gateway keeps only its hash):\n  ${portCredential}\n`,
    );
    // Only the hash is stored.
    expect(JSON.stringify(listJson())).not.toContain(portCredential);

    const again = herald(["outlet", "add", "port-notices", "--kinds", "news"], env);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^herald: the outlet gateway answered 409 already_exists: name: /);

    // Three news items on the topic: port-notices (every kind, never connected) is
    // three behind; credit-registry, connected, settles them (not its kinds) and
    // its group commits past them.
    const producer = await testProducer(ns);
    await producer.send(
      Topics.items,
      ["a", "b", "c"].map((id) => ({
        key: `news-${id}`,
        value: ItemState.fromPartial({
          id: `news-${id}`,
          version: 1,
          kind: ItemKind.ITEM_KIND_NEWS,
          status: ItemStatus.ITEM_STATUS_PUBLISHED,
          title: `news ${id}`,
          checksum: `sha256:news-${id}:1`,
          updatedAt: new Date(),
        }),
      })),
    );
    expect(listJson().outlets.map((o) => [o.name, o.connected.length, o.lag])).toEqual([
      ["credit-registry", 0, 3],
      ["port-notices", 0, 3],
    ]);

    // A connected outlet shows as connected, in the list and in `herald status`'s lines.
    const first = connect("credit-registry", registry.credential);
    await first.welcome;
    const listed = await waitFor(
      () => {
        const now = listJson();
        const entry = now.outlets.find((o) => o.name === "credit-registry");
        return entry?.connected.length === 1 && entry.lag === 0 ? now : undefined;
      },
      {
        description: "credit-registry connected and caught up",
        timeoutMs: 30_000,
        intervalMs: 500,
      },
    );
    expect(listed.gateway).toBe(grpcAddress);
    expect(listed.outlets.map((o) => [o.name, o.connected.length, o.lag])).toEqual([
      ["credit-registry", 1, 0],
      ["port-notices", 0, 3],
    ]);
    const table = herald(["outlet", "list"], env);
    expect(table.stderr).toBe("");
    expect(table.stdout).toMatch(
      /^ {2}outlet +connection +in flight +pending +backfilling +lag +kinds\n/,
    );
    expect(table.stdout).toMatch(
      /^ {2}credit-registry +connected \(1 instance\) +0 +0 +(yes|no) +0 +administrative-penalty,administrative-licence$/m,
    );
    expect(table.stdout).toMatch(/^ {2}port-notices +not connected +0 +0 +no +3 +all$/m);
    const status = await outletStatusLines(env);
    expect(status.join("\n")).toMatch(
      /outlets \(from the outlet gateway\):\n {2}outlet +channel +connection +lag\n {2}credit-registry +outlet-credit-registry +connected \(1 instance\) +0\n {2}port-notices +outlet-port-notices +not connected +3/,
    );

    // revoke cuts the stream at once, and the credential is refused from then on.
    const revoked = herald(["outlet", "revoke", "credit-registry"], env);
    expect(revoked.stderr).toBe("");
    expect(revoked.stdout).toContain("outlet credit-registry revoked");
    expect(await first.ended).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    first.close();
    const refused = connect("credit-registry", registry.credential);
    await expect(refused.welcome).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    refused.close();
    expect(listJson().outlets[0]).toMatchObject({ name: "credit-registry", lag: null });
    expect(herald(["outlet", "list"], env).stdout).toMatch(/^ {2}credit-registry +revoked +/m);

    // rotate: a new credential, printed once; the old one's stream is cut.
    const old = connect("port-notices", portCredential!);
    await old.welcome;
    const rotated = herald(["outlet", "rotate", "port-notices"], env);
    expect(rotated.stderr).toBe("");
    const newCredential = /HERALD_OUTLET_TOKEN=(\S+)/.exec(rotated.stdout)?.[1];
    expect(newCredential).toBeDefined();
    expect(newCredential).not.toBe(portCredential);
    expect(await old.ended).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    old.close();
    const fresh = connect("port-notices", newCredential!);
    await fresh.welcome;
    fresh.close();

    const unknown = herald(["outlet", "revoke", "no-such-outlet"], env);
    expect(unknown.stderr).toBe(
      "herald: the outlet gateway answered 404 not_found: name: no outlet named no-such-outlet\n",
    );
    const wrongToken = herald(["outlet", "list"], { ...env, HERALD_OUTLET_ADMIN_TOKEN: "wrong" });
    expect(wrongToken.stderr).toMatch(
      /^herald: the outlet gateway answered 401 unauthenticated: .*HERALD_OUTLET_ADMIN_TOKEN/,
    );

    // The port is taken while it runs; `herald down` stops it.
    expect(await parts[0]!.start()).toBe("running");
    const clash = outletGatewayPart(
      stackSettings({ ...env, HERALD_HOME: join(home, "clash") }),
      env,
    );
    await expect(clash.start()).rejects.toThrow(
      `port ${env.HERALD_OUTLET_GATEWAY_GRPC_PORT} (outlet gateway gRPC) is taken by another program; stop it, or choose another port with HERALD_OUTLET_GATEWAY_GRPC_PORT`,
    );
    const stopped: string[] = [];
    await down(stack, parts, (line) => stopped.push(line));
    expect(stopped).toEqual(["stopped outlet-gateway"]);
    expect((await parts[0]!.status()).state).toBe("stopped");

    const gone = herald(["outlet", "list"], env);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toBe(
      `herald: the outlet gateway is not running at ${url} (connection refused); start it with \`./herald up\`\n`,
    );
    expect(await outletStatusLines(env)).toEqual([
      "",
      `outlets: not shown; the outlet gateway is not running at ${url} (connection refused); start it with \`./herald up\``,
    ]);
  }, 180_000);
});
