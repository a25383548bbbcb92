// Jest on an ESM TypeScript package: run through `node --experimental-vm-modules` (see the
// `test` script); @swc/jest strips the types and leaves ES modules (and `import.meta`) alone.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript' },
          target: 'es2022',
        },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  // Sources import each other with `.js` suffixes (Node16 resolution): map them back to `.ts`.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Tests start real processes (the CLI, make, go, pre-commit): one timeout for tests and hooks.
  testTimeout: 120_000,
  maxWorkers: 2,
  // Never run test files inside the main process: each worker is its own process.
  workerThreads: false,
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/dist-check/'],
};
