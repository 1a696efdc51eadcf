// One runner for every tier. `unit` needs nothing but Node; `integration` gets the
// real stack (Kafka + a MongoDB-protocol database) from test/harness.
/** @type {import('jest').Config} */
const shared = {
  testEnvironment: "node",
  // Workspace packages resolve to their TypeScript sources, as in development.
  testEnvironmentOptions: { customExportConditions: ["herald-source", "node", "node-addons"] },
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "commonjs" },
        sourceMaps: "inline",
      },
    ],
  },
  moduleFileExtensions: ["ts", "js", "json"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: "unit",
      testMatch: ["<rootDir>/{packages,services}/*/src/**/*.test.ts"],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, "\\.int\\.test\\.ts$"],
    },
    {
      ...shared,
      displayName: "integration",
      testMatch: [
        "<rootDir>/{packages,services}/*/{src,test}/**/*.int.test.ts",
        "<rootDir>/test/**/*.int.test.ts",
      ],
      globalSetup: "<rootDir>/test/harness/global-setup.ts",
      globalTeardown: "<rootDir>/test/harness/global-teardown.ts",
      slowTestThreshold: 30,
      setupFilesAfterEnv: ["<rootDir>/test/harness/setup-integration.ts"],
    },
  ],
};
