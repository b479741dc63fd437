// The import map written into Vite's pages with `integrity: true`: its URLs, what it leaves out, and
// where it goes in a page, with or without a map of the page's own.
import { describe, expect, it } from 'vitest'
import { createGraph } from '../../src/core/graph'
import { pageIntegrity, urlInPage, withImportMap } from '../../src/core/html'

describe('urlInPage', () => {
  it('prefixes an absolute base, and makes a relative one relative to the page', () => {
    expect(urlInPage('assets/a.js', 'index.html', '/')).toBe('/assets/a.js')
    expect(urlInPage('assets/a.js', 'nested/c.html', '/sub/')).toBe('/sub/assets/a.js')
    expect(urlInPage('assets/a.js', 'index.html', 'https://cdn.example/app/')).toBe('https://cdn.example/app/assets/a.js')
    expect(urlInPage('assets/a.js', 'index.html', './')).toBe('./assets/a.js')
    expect(urlInPage('assets/a.js', 'nested/deeper/c.html', './')).toBe('../../assets/a.js')
    expect(urlInPage('assets/a.js', 'index.html', '')).toBe('./assets/a.js')
  })
})

describe('pageIntegrity', () => {
  const chunk = (file: string, imports: string[] = []) => ({ file, code: '', imports, dynamicImports: [], css: [], isEntry: false, isDynamicEntry: false, facadeModuleId: null, moduleIds: [], modules: {} })
  const graph = createGraph([chunk('assets/a.js', ['assets/runtime.js']), chunk('assets/runtime.js'), chunk('assets/b.js', ['assets/runtime.js']), chunk('assets/lazy.js', ['assets/shared.js']), chunk('assets/shared.js')])
  const digests = new Map([...graph.chunks.keys()].map(file => [file, `sha384-${file}`]))

  it('leaves out what the page loads at start, and what that imports; every other chunk is in', () => {
    const html = '<head><script type="module" crossorigin src="/assets/a.js"></script></head>'
    expect(pageIntegrity(html, 'a.html', { base: '/' }, graph, digests)).toEqual({
      '/assets/b.js': 'sha384-assets/b.js',
      '/assets/lazy.js': 'sha384-assets/lazy.js',
      '/assets/shared.js': 'sha384-assets/shared.js',
    })
  })

  it('reads module preloads too, and names the files as the page does', () => {
    const html = `<script type=module src='../assets/b.js'></script><link rel="modulepreload" href="../assets/shared.js">`
    expect(pageIntegrity(html, 'nested/b.html', { base: './' }, graph, digests)).toEqual({
      '../assets/a.js': 'sha384-assets/a.js',
      '../assets/lazy.js': 'sha384-assets/lazy.js',
    })
  })
})

describe('withImportMap', () => {
  const integrity = { '/assets/lazy.js': 'sha384-abc' }

  it('puts a map before the first script or module preload, in its indentation', () => {
    const html = '<head>\n    <link rel="modulepreload" href="/assets/x.js">\n    <script type="module" src="/assets/a.js"></script>\n</head>'
    expect(withImportMap(html, integrity)).toBe('<head>\n    <script type="importmap">{"integrity":{"/assets/lazy.js":"sha384-abc"}}</script>\n    <link rel="modulepreload" href="/assets/x.js">\n    <script type="module" src="/assets/a.js"></script>\n</head>')
  })

  it('goes before a classic script too, which may import() before any module script', () => {
    const html = '<head><script>import("/assets/lazy.js")</script></head><body><script type="module" src="/a.js"></script></body>'
    expect(withImportMap(html, integrity)!.indexOf('importmap')).toBeLessThan(withImportMap(html, integrity)!.indexOf('<script>'))
  })

  it('carries Vite\'s CSP nonce, and goes at the end of the head in a page without scripts', () => {
    expect(withImportMap('<html><head><title>t</title></head><body></body></html>', integrity, 'n0nce'))
      .toBe('<html><head><title>t</title><script type="importmap" nonce="n0nce">{"integrity":{"/assets/lazy.js":"sha384-abc"}}</script>\n</head><body></body></html>')
  })

  it('merges into the page\'s own map, keeping what it has; the build\'s digest wins for one URL', () => {
    const html = '<head><script type="importmap" nonce="x">{ "imports": { "a": "/a.js" }, "integrity": { "/other.js": "sha384-other", "/assets/lazy.js": "sha384-old" } }</script><script type="module" src="/m.js"></script></head>'
    const written = withImportMap(html, integrity)!
    expect(written.match(/importmap/g)).toHaveLength(1)
    const [, attributes, map] = /<script([^>]*)>(.*?)<\/script>/.exec(written)!
    expect(attributes).toBe(' type="importmap" nonce="x"')
    expect(JSON.parse(map)).toEqual({ imports: { a: '/a.js' }, integrity: { '/other.js': 'sha384-other', '/assets/lazy.js': 'sha384-abc' } })
  })

  it('takes no other script type for an import map', () => {
    const html = '<script type="importmap-shim">{}</script>'
    expect(withImportMap(html, integrity)).toBe(`<script type="importmap">{"integrity":{"/assets/lazy.js":"sha384-abc"}}</script>\n${html}`)
  })

  it('leaves a page whose map is not JSON alone (undefined), as browsers ignore that map', () => {
    expect(withImportMap('<script type="importmap">{ nope</script>', integrity)).toBeUndefined()
  })

  it('writes JSON that cannot close its script element', () => {
    expect(withImportMap('', { '/a</script>.js': 'sha384-x' })).toBe('<script type="importmap">{"integrity":{"/a\\u003c/script>.js":"sha384-x"}}</script>\n')
  })
})
