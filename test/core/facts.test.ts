// The registry chunk's naming call: written before hashing so the bundler folds every other chunk's
// hash into the registry's, and taken out again with the facts, however a minifier left it.
import type { Manifest } from '../../src/types'
import { Parser } from 'acorn'
import { describe, expect, it } from 'vitest'
import { FACTS_FUNCTION } from '../../src/contract'
import { namingCall, withFacts } from '../../src/core/facts'

const manifest: Manifest = { version: 1, buildId: 'b1', modules: {}, archives: {} }
const facts = (file: string, code: string) => withFacts(file, code, manifest, { chunks: {} })!

describe('namingCall', () => {
  it('keeps each name\'s hash placeholder and only characters that need no escaping', () => {
    const call = namingCall(['assets/bar-!~{001}~.js', 'a"b\'c`(d)-!~{0$_}~.js'])
    expect(call).toBe(`\n${FACTS_FUNCTION}("assets/bar-!~{001}~.js abcd-!~{0$_}~.js");\n`)
  })

  it.each([
    ['as written', `const a = 1\nexport { a };${namingCall(['x-!~{001}~.js'])}`, 'const a = 1\nexport { a };\n'],
    ['with other quotes, after an export', `const a=1;export{a as b};${FACTS_FUNCTION}(\`x-!~{001}~.js\`);`, 'const a=1;export{a as b}'],
    ['joined to the statement before', `window.app={a},${FACTS_FUNCTION}('x-!~{001}~.js y.js')`, 'window.app={a}'],
  ])('is taken out when the facts go in: %s', (_, code, kept) => {
    const written = facts('assets/index.js', code)
    expect(written.startsWith(`${kept}${kept.endsWith('\n') ? '' : '\n'}function ${FACTS_FUNCTION}() {`)).toBe(true)
    expect(() => Parser.parse(written, { ecmaVersion: 'latest', sourceType: 'module' })).not.toThrow()
  })

  it('is taken out before a source map comment, which stays last', () => {
    const written = facts('index.js', `a()${namingCall(['x.js'])}//# sourceMappingURL=index.js.map\n`)
    expect(written).toMatch(new RegExp(`^a\\(\\)\\nfunction ${FACTS_FUNCTION}\\(\\) \\{.*\\}\\n//# sourceMappingURL=index\\.js\\.map\\n$`))
  })
})
