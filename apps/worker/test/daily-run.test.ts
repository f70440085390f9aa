import { dailyRunSuite } from './support/daily-run-suite.js';

dailyRunSuite();
