import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli'
import { moduleInfo } from '../helpers/manifest'

const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8'))
const USAGE_LINE = 'Usage: lazy-modules report <dir> [--json] [--no-brotli] [--manifest <file>] [--baseline <file|dir>] [--markdown] [--budget <limit>]...\n       lazy-modules advise <dir> [--json] [--manifest <file>]'

/** The CLI from source: its exit code and what it wrote. */
async function cli(...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, { stdout: (text) => { stdout += text }, stderr: (text) => { stderr += text } })
  return { code, stdout, stderr }
}

/**
 * A built app by hand: index.html loads index.js (which imports shared.js) and index.css; lazy
 * module `lazy` is lazy.js, which imports dep.js and needs lazy.css.
 */
function builtApp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lazy-cli-'))
  const files: Record<string, string> = {
    'index.html': '<!doctype html><script type="module" src="/assets/index.js"></script><link rel="stylesheet" href="/assets/index.css">',
    'assets/index.js': `import './shared.js'\nexport const open = () => import('./lazy.js')\n`,
    'assets/shared.js': `export const shared = ${JSON.stringify('s'.repeat(300))}\n`,
    'assets/lazy.js': `import { dep } from './dep.js'\nexport default dep\n`,
    'assets/dep.js': `export const dep = ${JSON.stringify('d'.repeat(500))}\n`,
    'assets/index.css': 'body{margin:0}',
    'assets/lazy.css': '.lazy{color:red}',
    'lazy-manifest.json': JSON.stringify({
      version: 1,
      buildId: '0123456789abcdef',
      modules: { lazy: moduleInfo({ name: 'lazy', file: 'assets/lazy.js', imports: ['assets/dep.js'], css: ['assets/lazy.css'] }) },
      archives: {},
    }),
  }
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    writeFileSync(join(dir, file), text)
  }
  return dir
}

describe('lazy-modules report <dir>', () => {
  it('prints the table, and where the first load came from', async () => {
    const { code, stdout, stderr } = await cli('report', builtApp())
    expect([code, stderr]).toEqual([0, ''])
    expect(stdout).toMatch(/^size report\n/)
    expect(stdout).toMatch(/^ {2}lazy\s+assets\/lazy\.js\s/m)
    expect(stdout.endsWith('\nfirst load from index.html\n')).toBe(true)
  })

  it('--json: the first load is what the page loads and its static imports; a module loads its chunk, its imports and its CSS', async () => {
    const { code, stdout } = await cli('report', builtApp(), '--json')
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    expect(report.initial.files).toEqual(['assets/index.css', 'assets/index.js', 'assets/shared.js'])
    expect(report.modules.lazy.loads).toEqual(['assets/dep.js', 'assets/lazy.css', 'assets/lazy.js'])
    expect(report.initial.total.brotli).toBeGreaterThan(0)
  })

  it('without HTML, takes the chunks nothing imports and the CSS no module needs; --no-brotli leaves brotli out', async () => {
    const dir = builtApp()
    rmSync(join(dir, 'index.html'))
    const { stdout } = await cli('report', dir, '--json', '--no-brotli')
    const report = JSON.parse(stdout)
    expect(report.initial.files).toEqual(['assets/index.css', 'assets/index.js', 'assets/shared.js'])
    expect(report.initial.total.brotli).toBeNull()
    expect((await cli('report', dir)).stdout).toContain('\nfirst load from the chunks no other chunk imports (no HTML page names its scripts)\n')
  })

  it('reads the manifest --manifest names', async () => {
    const dir = builtApp()
    cpSync(join(dir, 'lazy-manifest.json'), join(dir, 'modules.json'))
    rmSync(join(dir, 'lazy-manifest.json'))
    const { code, stdout } = await cli('report', dir, '--manifest', 'modules.json', '--json')
    expect(code).toBe(0)
    expect(JSON.parse(stdout).modules.lazy.file).toBe('assets/lazy.js')
    expect((await cli('report', dir, '--manifest=modules.json')).code).toBe(0)
  })
})

describe('help and version', () => {
  it('--help, -h and help print the usage and exit 0; brotli costs about 30 ms per MB', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['report', '--help']]) {
      const { code, stdout, stderr } = await cli(...argv)
      expect([code, stderr], argv.join(' ')).toEqual([0, ''])
      expect(stdout.startsWith(`${USAGE_LINE}\n`)).toBe(true)
      expect(stdout).toContain('about 30 ms per MB')
    }
  })

  it('--version prints the package\'s version', async () => {
    expect(await cli('--version')).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' })
  })
})

describe('usage errors: exit code 2, and what to fix', () => {
  /** A usage error: code 2, nothing on stdout, the message and the usage line on stderr. */
  async function refused(...argv: string[]): Promise<string> {
    const { code, stdout, stderr } = await cli(...argv)
    expect([code, stdout], argv.join(' ')).toEqual([2, ''])
    return stderr
  }

  it('no arguments at all: the usage', async () => {
    expect(await refused()).toMatch(/^Usage: lazy-modules report <dir>.*\n.*lazy-modules advise <dir>.*\n\nreport: prints the size report/)
  })

  it('an unknown option, with the one meant', async () => {
    expect(await refused('report', 'dist', '--jsno')).toBe(`lazy-modules: unknown option --jsno; did you mean --json?\n\n${USAGE_LINE}\n`)
    expect(await refused('report', 'dist', '--no-brotil')).toContain('unknown option --no-brotil; did you mean --no-brotli?')
    expect(await refused('report', 'dist', '--manfest', 'x.json')).toContain('unknown option --manfest; did you mean --manifest?')
    expect(await refused('report', 'dist', '--brotli')).toContain('unknown option --brotli; did you mean --no-brotli?')
    expect(await refused('report', 'dist', '-x')).toMatch(/^lazy-modules: unknown option -x\.\n/)
  })

  it('an unknown command, with the one meant; a folder where the command goes', async () => {
    expect(await refused('reprot', 'dist')).toMatch(/^lazy-modules: unknown command "reprot"; did you mean report\?\n/)
    expect(await refused('sizes', 'dist')).toMatch(/^lazy-modules: unknown command "sizes"; the commands are report and advise\.\n/)
    expect(await refused('advice', 'dist')).toMatch(/^lazy-modules: unknown command "advice"; did you mean advise\?\n/)
    const dir = builtApp()
    expect(await refused(dir)).toContain(`is not a command; did you mean lazy-modules report ${dir}?`)
  })

  it('--manifest without a file name', async () => {
    const dir = builtApp()
    expect(await refused('report', dir, '--manifest')).toMatch(/^lazy-modules: --manifest needs a file name: --manifest <file>, the manifest's name in <dir>\.\n/)
    expect(await refused('report', dir, '--manifest', '--json')).toMatch(/^lazy-modules: --manifest needs a file name/)
  })

  it('a --manifest that does not exist: the file looked for, and the one meant', async () => {
    const dir = builtApp()
    const missing = await refused('report', dir, '--manifest', 'nope.json')
    expect(missing).toMatch(new RegExp(`^lazy-modules: ${join(dir, 'nope.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist\\.\n`))
    expect(missing).not.toMatch(/pass --manifest|with --manifest/)
    expect(await refused('report', dir, '--manifest', 'lazy-manfest.json')).toContain(`${join(dir, 'lazy-manfest.json')} does not exist; did you mean lazy-manifest.json?`)
  })

  it('a folder with no manifest: the file looked for, and how to get one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lazy-cli-empty-'))
    expect(await refused('report', dir)).toMatch(new RegExp(`^lazy-modules: ${join(dir, 'lazy-manifest.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist: build with unplugin-lazy-modules first`))
  })

  it('no folder, two folders, a folder that is not there or is a file', async () => {
    expect(await refused('report')).toMatch(/^lazy-modules: which folder\? Give the folder the build wrote: lazy-modules report dist\/\n/)
    expect(await refused('report', 'a', 'b')).toMatch(/^lazy-modules: one folder at a time: "a" and "b" given\.\n/)
    const dir = builtApp()
    expect(await refused('report', join(dir, 'gone'))).toContain(`${join(dir, 'gone')} does not exist: give the folder the build wrote`)
    expect(await refused('report', join(dir, 'index.html'))).toContain(`${join(dir, 'index.html')} is a file: give the folder the build wrote`)
  })

  it('options of report given to advise, --markdown or a growth budget without --baseline, a budget that is not one', async () => {
    expect(await refused('advise', 'dist', '--baseline', 'old')).toMatch(/^lazy-modules: --baseline is an option of lazy-modules report, not of advise\.\n/)
    expect(await refused('report', 'dist', '--markdown')).toMatch(/^lazy-modules: --markdown prints the change since a baseline: give one with --baseline <file\|dir>\.\n/)
    expect(await refused('report', 'dist', '--budget', 'initial=+5%')).toMatch(/^lazy-modules: initial=\+5% limits a growth, which needs --baseline <file\|dir> to grow from\.\n/)
    expect(await refused('report', 'dist', '--budget', 'initial')).toMatch(/^lazy-modules: --budget initial: write <what>=<limit>, where <what> is initial or a pattern of lazy module names/)
    expect(await refused('report', 'dist', '--budget', 'initial=lots')).toMatch(/^lazy-modules: --budget initial=lots must be a size such as '150 kB'/)
    expect(await refused('report', 'dist', '--budget')).toMatch(/^lazy-modules: --budget needs a limit: --budget initial=150kB/)
    expect(await refused('report', 'dist', '--baselin', 'x')).toContain('unknown option --baselin; did you mean --baseline?')
  })

  it('a value given to a switch', async () => {
    expect(await refused('report', 'dist', '--json=yes')).toMatch(/^lazy-modules: --json takes no value; got --json=yes\.\n/)
  })
})

describe('lazy-modules advise <dir> and budgets', () => {
  it('without the build\'s report or source maps there is nothing to advise on: exit 1, and how to get it', async () => {
    const { code, stdout, stderr } = await cli('advise', builtApp())
    expect([code, stdout]).toEqual([1, ''])
    expect(stderr).toMatch(/^lazy-modules: no advice: this folder has neither the build's lazy-report\.json nor source maps/)
  })

  it('--budget initial=<size>: exit 1 after the output when the first load is over it', async () => {
    const dir = builtApp()
    const { initial } = JSON.parse((await cli('report', dir, '--json')).stdout)
    expect((await cli('report', dir, '--budget', `initial=${initial.total.gzip}`)).code).toBe(0)
    const over = await cli('report', dir, '--budget', `initial=${initial.total.gzip - 1}`, '--budget', 'lazy=1MB')
    expect(over.code).toBe(1)
    expect(over.stdout).toMatch(/^size report\n/)
    expect(over.stderr).toMatch(/^lazy-modules: size budget exceeded:\n {2}- the first load is [\d.]+ (?:kB|B) gzip, 1 B/)
    expect(over.stderr).not.toContain('"lazy"')
  })
})

describe('a folder that cannot be read: exit code 1', () => {
  it('a manifest that is not JSON, or not a manifest', async () => {
    const dir = builtApp()
    writeFileSync(join(dir, 'lazy-manifest.json'), '{"version": 1,')
    const broken = await cli('report', dir)
    expect(broken.code).toBe(1)
    expect(broken.stderr).toMatch(/^lazy-modules: .*lazy-manifest\.json is not JSON \(.*\); is it the manifest unplugin-lazy-modules wrote\?\n$/)
    writeFileSync(join(dir, 'lazy-manifest.json'), '{"name": "app"}')
    expect((await cli('report', dir)).stderr).toMatch(/lazy-manifest\.json is not a manifest of unplugin-lazy-modules: it has no `buildId` and `modules`\.\n$/)
  })
})

describe('the bin', () => {
  const bin = join(import.meta.dirname, '../../dist/cli.mjs')

  it.runIf(existsSync(bin))('dist/cli.mjs runs main and exits with its code', () => {
    const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' })
    expect([version.status, version.stdout]).toEqual([0, `${pkg.version}\n`])
    const bare = spawnSync(process.execPath, [bin], { encoding: 'utf8' })
    expect(bare.status).toBe(2)
    expect(bare.stderr).toMatch(/^Usage: lazy-modules report <dir>/)
  })
})
