import assert from "node:assert/strict";
import { test } from "node:test";
import { formatTop, topSelfTime } from "../profile.mjs";

const frame = (functionName, url, lineNumber) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: "1" });

test("topSelfTime adds up one function's samples under different callers and ranks by self time", () => {
  const profile = {
    nodes: [
      { id: 1, callFrame: frame("(root)", "", -1), children: [2, 3] },
      { id: 2, callFrame: frame("caller", "file:///app/a.mjs", 9), children: [4] },
      { id: 3, callFrame: frame("other", "file:///app/a.mjs", 19), children: [5] },
      { id: 4, callFrame: frame("hot", "file:///x/node_modules/.pnpm/u@1/node_modules/u/lib/h.js", 4) },
      { id: 5, callFrame: frame("hot", "file:///x/node_modules/.pnpm/u@1/node_modules/u/lib/h.js", 4) },
      { id: 6, callFrame: frame("(garbage collector)", "", -1) },
    ],
    startTime: 0,
    endTime: 1100,
    // A sample's time runs to the next sample (the last one's to endTime).
    samples: [4, 5, 2, 6],
    timeDeltas: [0, 300, 300, 200],
  };
  const { totalMs, top } = topSelfTime(profile, 2);
  assert.equal(totalMs, 1.1);
  assert.deepEqual(
    top.map((t) => [t.name, t.where, t.selfMs, Math.round(t.percent)]),
    [
      ["hot", "u/lib/h.js:5", 0.6, 55],
      ["(garbage collector)", "", 0.3, 27],
    ],
  );
  assert.match(formatTop({ totalMs, top }), /hot\s+u\/lib\/h\.js:5\s+0\.6\s+54\.5%/);
});
