/**
 * The Jest preset of `@sfmc-contacts/mocks` (Jest 29 and 30, ts-jest, CommonJS):
 * `module.exports = { preset: "@sfmc-contacts/mocks/jest", setupFilesAfterEnv: ["<rootDir>/jest.setup.ts"] }`.
 * It runs tests in the `node` environment, compiles TypeScript with ts-jest, and compiles the
 * ESM-only packages msw 2 and msw 3 load to CommonJS.
 */
declare const preset: {
  testEnvironment: string;
  transform: Record<string, string>;
  transformIgnorePatterns: string[];
};
export = preset;
