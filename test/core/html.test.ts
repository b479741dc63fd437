// What `integrity: true` writes into Vite's pages: the import map (its URLs, where it goes in a page,
// with or without a map of the page's own) and the digests on the page's own tags.
import { describe, expect, it } from 'vitest'
import { pageIntegrity, urlInPage, withImportMap, withTagIntegrity } from '../../src/core/html'

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
  const digests = new Map(['assets/a.js', 'assets/lazy.js', 'assets/shared.js'].map(file => [file, `sha384-${file}`]))

  it('names every file as the page does, its own start-up files too', () => {
    expect(pageIntegrity('a.html', { base: '/' }, digests)).toEqual({
      '/assets/a.js': 'sha384-assets/a.js',
      '/assets/lazy.js': 'sha384-assets/lazy.js',
      '/assets/shared.js': 'sha384-assets/shared.js',
    })
    expect(Object.keys(pageIntegrity('nested/b.html', { base: './' }, digests))).toEqual(['../assets/a.js', '../assets/lazy.js', '../assets/shared.js'])
  })
})

describe('withTagIntegrity', () => {
  const integrity = { '/assets/a.js': 'sha384-a', '/assets/shared.js': 'sha384-s', '/assets/a.css': 'sha384-c' }

  it('puts the digest on module scripts, module preloads and stylesheets the page names, in any quoting', () => {
    const html = `<script type="module" crossorigin src="/assets/a.js"></script>\n<link rel=modulepreload crossorigin href='/assets/shared.js'>\n<link rel="stylesheet" crossorigin href="/assets/a.css" />`
    expect(withTagIntegrity(html, integrity)).toBe(`<script type="module" crossorigin src="/assets/a.js" integrity="sha384-a"></script>\n<link rel=modulepreload crossorigin href='/assets/shared.js' integrity="sha384-s">\n<link rel="stylesheet" crossorigin href="/assets/a.css" integrity="sha384-c" />`)
  })

  it('leaves a tag with its own integrity, a file the build did not write, an icon, and an inline script', () => {
    const html = `<script type="module" src="/assets/a.js" integrity="sha384-mine"></script><script src="/other.js"></script><link rel="icon" href="/assets/a.css"><script>const a = "/assets/a.js"</script>`
    expect(withTagIntegrity(html, integrity)).toBe(html)
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
