import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ferretdbServer } from "./ferretdb";
import { stackSettings } from "./settings";

describe("ferretdbServer(…).outdated", () => {
  let home: string;
  let child: ChildProcess | undefined;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "herald-ferretdb-"));
  });

  afterEach(() => {
    child?.kill();
    child = undefined;
    rmSync(home, { recursive: true, force: true });
  });

  it("is undefined when no FerretDB runs", () => {
    expect(ferretdbServer(stackSettings({ HERALD_HOME: home })).outdated()).toBeUndefined();
  });

  it("names the program a running server was started from when it is not the current build", async () => {
    const settings = stackSettings({ HERALD_HOME: home });
    const dir = settings.ferretdb.dir;
    const data = join(dir, "data");
    mkdirSync(data, { recursive: true });
    // Stands in for a server started from an older build: a process whose command
    // line carries the data folder, as the pid file's marker requires.
    const started = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)", data], {
      stdio: "ignore",
    });
    child = started;
    await new Promise((resolve) => started.once("spawn", resolve));
    writeFileSync(
      join(dir, "ferretdb.pid"),
      JSON.stringify({ pid: started.pid, marker: data, startedAt: new Date().toISOString() }),
    );

    expect(ferretdbServer(settings).outdated()).toBe(
      `it runs ${process.execPath}, not the current build ${join(settings.cache, "ferretdb-1.24.2-patched", "bin", "ferretdb")}`,
    );
  });
});
