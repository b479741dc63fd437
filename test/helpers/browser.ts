// Debian's Chromium driven by playwright-core, for browser tests. One browser per test file (each
// vitest test file has its own module instance, so the shared browser below is per file); each page
// gets a fresh context. No tool ever downloads a browser here.
//
// Beware: vitest rewrites `import()` in test files, also inside functions given to `page.evaluate`,
// which then fail in the page (`__vite_ssr_dynamic_import__ is not defined`). Pass such code as a
// string: `page.evaluate("import('/x.js').then(m => m.x)")`.
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core'
import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'

export const CHROMIUM_PATH = '/usr/bin/chromium'

/** Screenshots go here (gitignored). */
export const outputDir = resolve(import.meta.dirname, '../../test-output')

const missing = `Browser tests need Debian's Chromium at ${CHROMIUM_PATH}, and it is missing. `
  + 'Install it with `apt-get update && apt-get install -y chromium` (.ci/run does this in CI). '
  + 'Never let a tool download a browser.'

export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH)
}

/** Throws the install hint when Chromium is missing, so browser tests fail instead of skipping. */
export function assertChromium(): void {
  if (!hasChromium())
    throw new Error(missing)
}

// Without the background-networking flags Chromium's own connections are refused on a closed network
// and it logs or stalls; the rest keep it quiet and deterministic in a container.
const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-dev-shm-usage',
  '--metrics-recording-only',
  '--password-store=basic',
  '--use-mock-keychain',
]

export interface LaunchOptions {
  /** Adds `--ignore-certificate-errors`, for the HTTP/2 test server's self-signed certificate. */
  ignoreCertificateErrors?: boolean
}

let shared: { browser: Browser, ignoreCertificateErrors: boolean } | undefined

/** Launches this file's Chromium, or returns the one already running (with the same options). */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  assertChromium()
  const ignoreCertificateErrors = options.ignoreCertificateErrors ?? false
  if (shared?.browser.isConnected()) {
    if (shared.ignoreCertificateErrors !== ignoreCertificateErrors)
      throw new Error('launchBrowser(): this file\'s browser is already running with other options; launch it once with the options all tests need.')
    return shared.browser
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ignoreCertificateErrors ? [...args, '--ignore-certificate-errors'] : args,
    timeout: 30_000,
  })
  shared = { browser, ignoreCertificateErrors }
  return browser
}

/** Closes this file's browser (and every context and page in it). Safe to call when none runs. */
export async function closeBrowser(): Promise<void> {
  const current = shared
  shared = undefined
  await current?.browser.close()
}

export interface PageErrors {
  /** Text of every `console.error` (and failed resource loads Chromium reports on the console). */
  console: string[]
  /** Uncaught exceptions and unhandled rejections in the page. */
  page: Error[]
  /** Requests that failed at the network level: `url: reason`. HTTP error statuses are not failures here. */
  requests: string[]
  /** All of the above as lines, for an assertion message. */
  all: () => string[]
}

/** Starts recording a page's console errors, page errors and failed requests. */
export function collectErrors(page: Page): PageErrors {
  const errors: PageErrors = {
    console: [],
    page: [],
    requests: [],
    all: () => [...errors.console.map(text => `console: ${text}`), ...errors.page.map(error => `page: ${error.message}`), ...errors.requests.map(text => `request: ${text}`)],
  }
  page.on('console', (message) => {
    if (message.type() === 'error')
      errors.console.push(message.text())
  })
  page.on('pageerror', error => errors.page.push(error))
  page.on('requestfailed', request => errors.requests.push(`${request.url()}: ${request.failure()?.errorText}`))
  return errors
}

export interface OpenedPage {
  page: Page
  context: BrowserContext
  errors: PageErrors
  close: () => Promise<void>
}

/** A page in a fresh context of this file's browser (launched with default options if not running yet), recording errors from the start; goes to `url` if given. */
export async function openPage(url?: string, options: BrowserContextOptions = {}): Promise<OpenedPage> {
  const browser = shared?.browser.isConnected() ? shared.browser : await launchBrowser()
  const context = await browser.newContext(options)
  const page = await context.newPage()
  const errors = collectErrors(page)
  if (url)
    await page.goto(url, { waitUntil: 'load' })
  return { page, context, errors, close: () => context.close() }
}

/** Saves a full-page PNG as `test-output/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(outputDir, { recursive: true })
  const path = join(outputDir, `${name.replace(/[^\w.-]+/g, '-')}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

declare global {
  /** What the fixture apps put on the page for the browser tests to call. */
  interface Window {
    app: Record<string, (...args: any[]) => any>
    /** Which fixture modules ran, by name. */
    __evaluated?: Record<string, unknown>
  }
}
