// The fixture app built by every tested version of Rollup (test/helpers/matrix.ts; all of them with MATRIX=1).
import { matrixSuite } from './suite'

matrixSuite('rollup')
