import { githubReporter } from './github.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import { sarifReporter } from './sarif.js';
import { stylishReporter } from './stylish.js';
import type { Reporter } from './types.js';

import type { ReportFormat } from './formats.js';

export { REPORT_FORMATS, type ReportFormat } from './formats.js';

export const reporters: Record<ReportFormat, Reporter> = {
  stylish: stylishReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  github: githubReporter,
  junit: junitReporter,
};

export type { ReportInput, Reporter } from './types.js';
