/**
 * The fault suite's account check: given what a run reported and what the server saw, list every
 * way the report is wrong. An empty list is a pass.
 */
import type { ContactResult } from "@sfmc-contacts/client-node";
import type { FaultServer } from "./fault-server.js";

export interface RunReport {
  keys: string[];
  results: ContactResult[];
}

export function violations({ keys, results }: RunReport, server: FaultServer): string[] {
  const problems: string[] = [];
  const seen = new Map<number, number>();
  for (const result of results) seen.set(result.index, (seen.get(result.index) ?? 0) + 1);
  for (let i = 0; i < keys.length; i++) {
    const count = seen.get(i) ?? 0;
    if (count === 0) problems.push(`key #${i} (${keys[i]}) was dropped: no result`);
    if (count > 1) problems.push(`key #${i} (${keys[i]}) was reported ${count} times`);
  }
  for (const [index] of seen)
    if (index < 0 || index >= keys.length) problems.push(`a result for index ${index}, which is not in the input`);
  for (const result of results) {
    if (keys[result.index] !== result.key)
      problems.push(`result #${result.index} names ${result.key}, the input has ${keys[result.index]}`);
    if (result.ok && !server.established.has(result.key))
      problems.push(`${result.key} is reported established, the server never established it`);
    if (!result.ok && !result.reason) problems.push(`${result.key} failed without a reason`);
  }
  if (results.length !== keys.length) problems.push(`${results.length} results for ${keys.length} keys`);
  return problems.slice(0, 20);
}
