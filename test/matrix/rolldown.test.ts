// The fixture app built by every tested version of Rolldown (test/helpers/matrix.ts; all of them with MATRIX=1).
import { matrixSuite } from './suite'

matrixSuite('rolldown')
