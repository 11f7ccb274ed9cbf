import type { Config } from 'jest';

// otplib 13 depends on ESM-only @noble and @scure packages; let ts-jest
// transpile them instead of ignoring them as usual for node_modules.
const esmOnly = ['@noble', '@scure', 'otplib', '@otplib'].join('|');

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/scripts'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }],
  },
  transformIgnorePatterns: [`node_modules/(?!(${esmOnly})/)`],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
};

export default config;
