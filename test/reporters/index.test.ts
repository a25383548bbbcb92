import { describe, expect, it } from '@jest/globals';
import { REPORT_FORMATS, reporters } from '../../src/reporters/index.js';
import { githubReporter } from '../../src/reporters/github.js';
import { jsonReporter } from '../../src/reporters/json.js';
import { junitReporter } from '../../src/reporters/junit.js';
import { sarifReporter } from '../../src/reporters/sarif.js';
import { stylishReporter } from '../../src/reporters/stylish.js';

describe('reporters', () => {
  it('maps each format of the contract to its reporter', () => {
    expect(Object.keys(reporters).sort()).toEqual([...REPORT_FORMATS].sort());
    expect(REPORT_FORMATS).toEqual(['stylish', 'json', 'sarif', 'github', 'junit']);
    expect(reporters.stylish).toBe(stylishReporter);
    expect(reporters.json).toBe(jsonReporter);
    expect(reporters.sarif).toBe(sarifReporter);
    expect(reporters.github).toBe(githubReporter);
    expect(reporters.junit).toBe(junitReporter);
  });
});
