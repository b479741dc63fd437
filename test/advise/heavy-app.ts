// The heavy app (test/fixtures/heavy-app) for the advice's tests: copies of it to build, its build,
// the advice's edits applied as a tool would apply them, and the CLI from source.
import type { Candidate, Report, TextEdit } from '../../src/core/report'
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { main } from '../../src/cli'
import { buildWithVite, fixtures, tempDir } from '../helpers/build'

const fixture = join(fixtures, 'heavy-app')
const repo = join(import.meta.dirname, '../..')

/** The fixture in a folder of its own (its node_modules linked), with the hand-marked files over it if asked. */
export function copyApp({ byHand = false } = {}): string {
  const dir = tempDir('lazy-heavy-app-')
  cpSync(fixture, dir, { recursive: true, filter: source => !source.startsWith(join(fixture, 'by-hand')) })
  if (byHand)
    cpSync(join(fixture, 'by-hand'), dir, { recursive: true })
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

export async function buildApp(root: string, report: { baseline?: string } = {}): Promise<{ dir: string, report: Report }> {
  const built = await buildWithVite(root, { report: { console: false, ...report } })
  return { dir: built.dir, report: JSON.parse(readFileSync(join(built.dir, 'lazy-report.json'), 'utf8')) }
}

/** Text edits by offset into `code`, applied from the end so that each offset still holds. */
export function applyEdits(code: string, edits: { start: number, end: number, text: string }[]): string {
  for (const edit of [...edits].sort((a, b) => b.start - a.start || b.end - a.end))
    code = code.slice(0, edit.start) + edit.text + code.slice(edit.end)
  return code
}

/** The edits of every candidate the advice says to act on: not inside another, and markable as written. */
export function followAdvice(root: string, candidates: Candidate[]): Candidate[] {
  const followed = candidates.filter(candidate => !candidate.within && (candidate.verdict === 'ready' || candidate.verdict === 'async'))
  const byFile = new Map<string, TextEdit[]>()
  for (const edit of followed.flatMap(candidate => candidate.edits))
    byFile.set(edit.file, [...byFile.get(edit.file) ?? [], edit])
  for (const [file, edits] of byFile)
    writeFileSync(join(root, file), applyEdits(readFileSync(join(root, file), 'utf8'), edits))
  return followed
}

export async function cli(...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, { stdout: (text) => { stdout += text }, stderr: (text) => { stderr += text } })
  return { code, stdout, stderr }
}

