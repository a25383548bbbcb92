import { describe, expect, it } from '@jest/globals';
import { expectWithMessage } from '../support/expect-message.js';
import { lineFingerprints } from '../../src/reporters/fingerprint.js';

// Expected values are the test vectors of github/codeql-action's src/fingerprints.test.ts,
// i.e. what its upload step computes for the same text.
const UPSTREAM_VECTORS: Array<[string, string[]]> = [
  ['', ['c129715d7a2bc9a3:1']],
  [' a\nb\n  \t\tc\n d', ['271789c17abda88f:1', '54703d4cd895b18:1', '180aee12dab6264:1', 'a23a3dc5e078b07b:1']],
  [
    ' hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End',
    [
      '8b7cf3e952e7aeb2:1',
      'b1ae1287ec4718d9:1',
      'bff680108adb0fcc:1',
      'c6805c5e1288b612:1',
      'b86d3392aea1be30:1',
      'e6ceba753e1a442:1',
    ],
  ],
  ...[
    ' hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n',
    ' hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r',
    ' hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n',
    ' hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n',
  ].map((text): [string, string[]] => [
    text,
    [
      'e9496ae3ebfced30:1',
      'fb7c023a8b9ccb3f:1',
      'ce8ba1a563dcdaca:1',
      'e20e36e16fcb0cc8:1',
      'b3edc88f2938467e:1',
      'c8e28b0b4002a3a0:1',
      'c129715d7a2bc9a3:1',
    ],
  ]),
  [
    'Lorem ipsum dolor sit amet.\n'.repeat(10),
    [
      'a7f2ff13bc495cf2:1',
      'a7f2ff13bc495cf2:2',
      'a7f2ff13bc495cf2:3',
      'a7f2ff13bc495cf2:4',
      'a7f2ff13bc495cf2:5',
      'a7f2ff13bc495cf2:6',
      'a7f2ff1481e87703:1',
      'a9cf91f7bbf1862b:1',
      '55ec222b86bcae53:1',
      'cc97dc7b1d7d8f7b:1',
      'c129715d7a2bc9a3:1',
    ],
  ],
  [
    'x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n',
    [
      'e54938cc54b302f1:1',
      'bb609acbe9138d60:1',
      '1131fd5871777f34:1',
      '5c482a0f8b35ea28:1',
      '54517377da7028d2:1',
      '2c644846cb18d53e:1',
      'f1b89f20de0d133:1',
      'c129715d7a2bc9a3:1',
    ],
  ],
];

describe('lineFingerprints', () => {
  it.each(UPSTREAM_VECTORS)('matches codeql-action for %j', (text, expected) => {
    expect(lineFingerprints(text)).toEqual(expected);
  });

  it('yields one fingerprint per line, as many as the upload action counts', () => {
    for (const [text] of UPSTREAM_VECTORS) {
      expect(lineFingerprints(text)).toHaveLength(text.split(/\r\n|\r|\n/).length);
    }
  });
});

/**
 * The same fingerprint stated directly rather than as a rolling hash: normalise the text,
 * then for each line sum its next 100 characters weighted by powers of 37 (mod 2^64).
 */
function directFingerprints(text: string): string[] {
  const stream: number[] = [];
  const lineStarts: number[] = [];
  let atLineStart = true;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (character === ' ' || character === '\t') continue;
    if (character === '\n' && index > 0 && text[index - 1] === '\r') continue;
    if (atLineStart) lineStarts.push(stream.length);
    atLineStart = character === '\n' || character === '\r';
    stream.push(character === '\r' ? 10 : text.charCodeAt(index));
  }
  if (atLineStart) lineStarts.push(stream.length);
  stream.push(0xffff);
  const seen = new Map<string, number>();
  return lineStarts.map((start) => {
    let hash = 0n;
    for (let offset = 0; offset < 100; offset++) {
      hash = BigInt.asUintN(64, hash * 37n + BigInt(stream[start + offset] ?? 0));
    }
    const hex = hash.toString(16);
    const count = (seen.get(hex) ?? 0) + 1;
    seen.set(hex, count);
    return `${hex}:${count}`;
  });
}

function randomText(random: () => number): string {
  const alphabet = ['a', 'b', 'x', '=', ' ', '\t', '\n', '\r', '\r\n', 'é', '😀', '"', '#', '{', '}'];
  const length = Math.floor(random() * 400);
  let text = '';
  for (let index = 0; index < length; index++) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('lineFingerprints against the direct definition', () => {
  it('agrees on 2000 generated texts', () => {
    const random = seededRandom(20240611);
    for (let round = 0; round < 2000; round++) {
      const text = randomText(random);
      expectWithMessage(lineFingerprints(text), JSON.stringify(text)).toEqual(directFingerprints(text));
    }
  });

  it('agrees with the upstream vectors too (the direct definition is not vacuous)', () => {
    for (const [text, expected] of UPSTREAM_VECTORS) expect(directFingerprints(text)).toEqual(expected);
  });
});
