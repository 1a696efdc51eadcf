/**
 * The CLI depends on no service: `herald up` starts them as processes, token
 * files come from @herald/runtime, and its tests start services through
 * @herald/test-harness. Every folder under services/ counts, including ones
 * added after this test.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..", "..", "..");
const CLI = join(ROOT, "packages", "cli");

function serviceNames(): string[] {
  return readdirSync(join(ROOT, "services"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      try {
        const pkg = JSON.parse(
          readFileSync(join(ROOT, "services", entry.name, "package.json"), "utf8"),
        ) as { name: string };
        return [pkg.name];
      } catch {
        return [];
      }
    });
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** `from "<name>"`, `import("<name>/…")`, `require("<name>")` and a bare `import "<name>"`. */
const importOf = (name: string): RegExp =>
  new RegExp(
    `(?:from\\s+|import\\s*\\(\\s*|require\\s*\\(\\s*|import\\s+)["']${name}(?:/[^"']*)?["']`,
  );

describe("the CLI", () => {
  const services = serviceNames();

  it("knows the services it must not depend on", () => {
    expect(services).toEqual(
      expect.arrayContaining(["@herald/content", "@herald/portal", "@herald/reconciler"]),
    );
  });

  it("lists no service among its dependencies", () => {
    const pkg = JSON.parse(readFileSync(join(CLI, "package.json"), "utf8")) as Record<
      string,
      Record<string, string> | undefined
    >;
    const declared = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]
      .flatMap((field) => Object.keys(pkg[field] ?? {}))
      .filter((name) => services.includes(name));
    expect(declared).toEqual([]);
  });

  it("imports no service, in its sources or its tests", () => {
    const offending = [...sources(join(CLI, "src")), ...sources(join(CLI, "test"))].flatMap(
      (file) => {
        const text = readFileSync(file, "utf8");
        return services
          .filter((name) => importOf(name).test(text))
          .map((name) => `${relative(ROOT, file)} imports ${name}`);
      },
    );
    expect(offending).toEqual([]);
  });
});
