// The README and docs/ link to files of this repository: each must exist, and the README's images must
// ship in the package, since the npm registry shows the README with relative links into the tarball.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { globSync } from 'tinyglobby'
import { describe, expect, it } from 'vitest'

const repo = resolve(import.meta.dirname, '../..')
const pages = ['README.md', ...readdirSync(join(repo, 'docs')).filter(file => file.endsWith('.md')).map(file => `docs/${file}`)]

/** Relative link targets of a Markdown page, without their #fragment; code blocks left out. */
function links(page: string): { target: string, image: boolean }[] {
  const text = readFileSync(join(repo, page), 'utf8').replace(/^```[\s\S]*?^```$/gm, '')
  return [...text.matchAll(/(!?)\[[^\]]*\]\(([^)\s]+)\)/g)]
    .map(([, bang, target]) => ({ target: target.replace(/#.*/, ''), image: bang === '!' }))
    .filter(({ target }) => target && !/^[a-z]+:/i.test(target))
}

describe('README and docs links', () => {
  it.each(pages)('%s links only to files that exist', (page) => {
    const missing = links(page).map(({ target }) => target).filter(target => !existsSync(resolve(repo, dirname(page), target)))
    expect(missing).toEqual([])
  })

  it('the README\'s images are in the package\'s "files"', () => {
    const { files } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'))
    const shipped = globSync(files, { cwd: repo })
    const images = links('README.md').filter(link => link.image).map(link => link.target)
    expect(images.length).toBeGreaterThan(0)
    expect(images.filter(image => !shipped.includes(image))).toEqual([])
  })
})
