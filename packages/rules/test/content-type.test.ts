import { describe, expect, it } from "vitest";
import { isJsonContentType, mediaType } from "../src/index.js";

describe("mediaType", () => {
  it.each([
    ["application/json", "application/json"],
    ["Application/JSON; charset=utf-8", "application/json"],
    ["  text/plain ;x=y", "text/plain"],
    ["", ""],
    [null, ""],
  ])("%j is %j", (header, type) => {
    expect(mediaType(header)).toBe(type);
  });
});

describe("isJsonContentType", () => {
  it.each([
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/merge-patch+json",
    "application/vnd.api+json; charset=utf-8",
  ])("%j is JSON", (header) => {
    expect(isJsonContentType(header)).toBe(true);
  });

  it.each([
    null,
    "",
    "text/plain",
    "text/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonp",
    "text/plain; x=application/json",
  ])("%j is not JSON", (header) => {
    expect(isJsonContentType(header)).toBe(false);
  });
});
