/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32). The mock keeps one
 * stream per purpose (contact ids, message ids and times, tokens, latency), so the data a test
 * sees for one purpose does not shift when another purpose draws more or fewer numbers.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** A lower-case, hyphenated, version-4 GUID, as the service writes message ids. */
  guid(): string;
  /** `length` characters of base64url. */
  token(length: number): string;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const HEX = "0123456789abcdef";
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A generator for one purpose (`stream`) of one seed. */
export function createRandom(seed: number, stream: number): Random {
  const init = splitmix32((seed ^ Math.imul(stream + 1, 0x27d4eb2d)) >>> 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  const pick = (alphabet: string): string => alphabet.charAt(Math.floor(next() * alphabet.length));
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    guid: () => {
      let out = "";
      for (let i = 0; i < 32; i++) {
        if (i === 8 || i === 12 || i === 16 || i === 20) out += "-";
        if (i === 12) out += "4";
        else if (i === 16) out += HEX.charAt(8 + Math.floor(next() * 4));
        else out += pick(HEX);
      }
      return out;
    },
    token: (length) => Array.from({ length }, () => pick(BASE64URL)).join(""),
  };
}

/** A seed for a mock that was given none: different on every call. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}
