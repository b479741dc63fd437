// The peer ranges and the README's table say exactly which versions the matrix tests.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { legsOf } from '../helpers/matrix'

const repo = resolve(import.meta.dirname, '../..')
const { peerDependencies } = JSON.parse(readFileSync(resolve(repo, 'package.json'), 'utf8'))
const readme = readFileSync(resolve(repo, 'README.md'), 'utf8')
const numbers = (version: string) => version.split('.').map(Number)

describe.each(['vite', 'rollup', 'rolldown'] as const)('%s', (bundler) => {
  const tested = legsOf(bundler, { all: true }).map(leg => leg.version)

  it('has a peer range whose every part starts at a tested version, and takes in every tested version', () => {
    const floors = (peerDependencies[bundler] as string).split('||').map(part => part.trim())
    for (const floor of floors) {
      expect(floor, 'a caret range').toMatch(/^\^\d+\.\d+\.\d+$/)
      expect(tested).toContain(floor.slice(1))
    }
    for (const version of tested) {
      const [major, minor, patch] = numbers(version)
      const floor = floors.map(part => numbers(part.slice(1))).find(([each]) => each === major)
      expect(floor, `${version} is in no part of ${peerDependencies[bundler]}`).toBeDefined()
      expect(minor * 1e6 + patch >= floor![1] * 1e6 + floor![2], `${version} is below ${floor!.join('.')}`).toBe(true)
    }
  })

  it('is in the README\'s table with its peer range and the versions tested', () => {
    const name = bundler[0].toUpperCase() + bundler.slice(1)
    const row = readme.split('\n').find(line => line.startsWith(`| ${name} |`))
    expect(row).toBe(`| ${name} | \`${peerDependencies[bundler].replaceAll('|', '\\|')}\` | ${tested.join(', ')} |`)
  })
})
