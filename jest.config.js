/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // The generated Prisma client imports its siblings as "./x.js" (node16 resolution); jest resolves the .ts.
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  // Type checking is `tsc --noEmit`'s job; jest transpiles to CommonJS, with dynamic import()
  // turned into require() (jest's VM cannot run a real one without experimental flags).
  transform: {
    "^.+\\.ts$": [
      "ts-jest",
      { diagnostics: false, tsconfig: { module: "commonjs", moduleResolution: "node" } },
    ],
  },
  globalSetup: "<rootDir>/test/support/globalSetup.ts",
  globalTeardown: "<rootDir>/test/support/globalTeardown.ts",
  reporters: ["default", "<rootDir>/test/support/countReporter.cjs"],
  testTimeout: 60000,
};
