// The earlier build a report is compared with: its lazy-report.json, or the folder it was built into
// (its lazy-report.json, else the report made from the folder's files, as the CLI makes it).
import type { Report } from './types'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createReport } from './index'
import { readFolder } from './folder'

export async function loadBaseline(path: string, { report = 'lazy-report.json', manifest = 'lazy-manifest.json' } = {}): Promise<{ report: Report, from: string }> {
  if (!existsSync(path))
    throw new Error(`${path} does not exist: give an earlier build's ${report}, or the folder it was built into`)
  if (statSync(path).isDirectory()) {
    if (existsSync(join(path, report)))
      return { report: readReport(join(path, report)), from: path }
    if (!existsSync(join(path, manifest)))
      throw new Error(`${path} holds neither ${report} nor ${manifest}: is it a folder built with unplugin-lazy-modules?`)
    const { input } = await readFolder(path, join(path, manifest))
    return { report: await createReport(input), from: path }
  }
  return { report: readReport(path), from: path }
}

/** A size report of any version: the diff reads only what every version has. */
export function readReport(file: string): Report {
  let report: any
  try {
    report = JSON.parse(readFileSync(file, 'utf8'))
  }
  catch (error: any) {
    throw new Error(`${file} is not JSON (${error.message}); is it a lazy-report.json?`)
  }
  if (!report || typeof report.buildId !== 'string' || !report.initial?.total || typeof report.modules !== 'object' || typeof report.files !== 'object')
    throw new Error(`${file} is not a size report of unplugin-lazy-modules: it has no \`buildId\`, \`initial\`, \`modules\` and \`files\``)
  return report
}
