"use strict";
// @sfmc-contacts/mocks/jest: a Jest preset for CommonJS projects with ts-jest (Jest 29 and 30).
//   jest.config.js:  module.exports = { preset: "@sfmc-contacts/mocks/jest", setupFilesAfterEnv: ["<rootDir>/jest.setup.ts"] };
// msw 2 and msw 3 load ESM-only packages that Jest's CommonJS runtime cannot require (msw 2:
// rettime, until-async, @open-draft/deferred-promise; msw 3: itself and most of its dependencies).
// Those are compiled to CommonJS by ./jest-transform.cjs; everything else under node_modules is
// left alone, as Jest does by default (our own packages are listed too: client-browser's CommonJS
// build loads openapi-fetch with import(), which Jest's CommonJS runtime cannot run uncompiled).
// Presets cannot extend presets, so ts-jest is named here.
const ESM_ONLY = ["@sfmc-contacts", "msw", "@mswjs", "@msw", "@open-draft", "rettime", "until-async", "cookie"];
// client-node needs `node`: undici (Node's fetch) needs MessagePort, which jsdom environments lack.
// A browser-client test file opts into the DOM with a docblock: /** @jest-environment jest-fixed-jsdom */
const testEnvironment = "node";
const transform = {
  "^.+\\.[cm]?tsx?$": "ts-jest",
  "[/\\\\]node_modules[/\\\\].+\\.[cm]?js$": require.resolve("./jest-transform.cjs"),
};
// Ignore a file under node_modules unless some node_modules segment of its path is followed by an
// ESM-only package: npm's node_modules/msw/... and pnpm's node_modules/.pnpm/msw@3.0.5/node_modules/msw/...
// alike (a pattern that looks only at the first node_modules would skip every pnpm path).
const transformIgnorePatterns = [
  `^(?!.*[/\\\\]node_modules[/\\\\](?:${ESM_ONLY.join("|")})[/\\\\]).*[/\\\\]node_modules[/\\\\]`,
];
// Shorthand properties: the names stay statically visible to CommonJS named-export detection.
module.exports = { testEnvironment, transform, transformIgnorePatterns };
