// @ts-check
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/",
      "**/dist/",
      "**/coverage/",
      ".herald/",
      "packages/contracts/src/gen/",
    ],
  },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-console": "error",
      // A package's exports map is its only public surface.
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@herald/*/src/**", "@herald/*/dist/**", "@herald/*/scripts/**"],
              message: "Import the package itself, or a subpath its exports map declares.",
            },
          ],
        },
      ],
    },
  },
  {
    // The CLI starts the services as processes and shares only packages with them:
    // importing a service would pull its whole code (and its start-up) into every command.
    files: ["packages/cli/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@herald/*/src/**", "@herald/*/dist/**", "@herald/*/scripts/**"],
              message: "Import the package itself, or a subpath its exports map declares.",
            },
            {
              group: ["@herald/content", "@herald/content/*", "@herald/portal", "@herald/portal/*"],
              message:
                "The CLI depends on no service: use @herald/runtime (token files) or @herald/test-harness (services in tests).",
            },
            {
              group: ["@herald/reconciler", "@herald/reconciler/*", "**/services/**"],
              message:
                "The CLI depends on no service: use @herald/runtime (token files) or @herald/test-harness (services in tests).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.test.ts", "**/*.int.test.ts", "test/**/*.ts"],
    rules: {
      // Jest matchers such as expect.any() are typed as any.
      "@typescript-eslint/no-unsafe-assignment": "off",
    },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: { ...globals.node } },
  },
  prettier,
);
