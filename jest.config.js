/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  globalSetup: "<rootDir>/test/support/globalSetup.cjs",
  globalTeardown: "<rootDir>/test/support/globalTeardown.cjs",
  reporters: ["default", "<rootDir>/test/support/countReporter.cjs"],
  testTimeout: 60000,
};
