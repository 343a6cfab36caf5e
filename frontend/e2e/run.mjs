// Browser end-to-end tests: the real Api (built dll) serving the built dashboard, driven by Chromium.
// Assumes `npm run build` already wrote the app to src/Api/wwwroot. Prints `ok - …` / `not ok - …` per scenario,
// then exactly one line `e2e: N passed, N failed`; exits non-zero when anything failed.
//
//   node frontend/e2e/run.mjs            (CHROMIUM_PATH overrides /usr/bin/chromium; E2E_HEADED=1 to watch)

import { spawn, execFileSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, '..', '..')
const artifacts = join(repo, '.artifacts', 'e2e')
const wwwroot = join(repo, 'src', 'Api', 'wwwroot')
const runId = Date.now().toString(36)

const EMAIL = 'pm@example.test'
const PASSWORD = 'correct horse battery staple'
const WORKSPACE = 'Acme Product'
const TITLES = {
  crash: `Crash when exporting CSV on Android ${runId}`,
  dark: `Please add dark mode to the dashboard ${runId}`,
  xss: `<img src=x onerror=alert(1)> Login button does nothing ${runId}`,
}

const results = []
let api = null
let browser = null
let dataDir = null
let cleanedUp = false

function log(line) {
  process.stdout.write(`${line}\n`)
}

async function cleanup() {
  if (cleanedUp) return
  cleanedUp = true
  try {
    await browser?.close()
  } catch {
    // Already gone.
  }
  if (api && api.exitCode === null) {
    api.kill('SIGTERM')
    const exited = await Promise.race([
      new Promise((r) => api.once('exit', () => r(true))),
      new Promise((r) => setTimeout(() => r(false), 5000)),
    ])
    if (!exited) api.kill('SIGKILL')
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
}

function finish() {
  const passed = results.filter((r) => r.ok).length
  const failed = results.length - passed
  log(`e2e: ${passed} passed, ${failed} failed`)
  return failed === 0 ? 0 : 1
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await cleanup()
    process.exit(130)
  })
}

// A hung browser or server must not hang the test script.
const watchdog = setTimeout(async () => {
  log('not ok - watchdog: the end-to-end run took longer than 8 minutes')
  results.push({ ok: false })
  await cleanup()
  process.exit(finish())
}, 8 * 60 * 1000)
watchdog.unref()

function findApiDll() {
  for (const configuration of ['Release', 'Debug']) {
    const bin = join(repo, 'src', 'Api', 'bin', configuration, 'net10.0')
    const dll = join(bin, 'GitMesh.Api.dll')
    if (existsSync(dll)) return { bin, dll }
  }
  return null
}

function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim() || null
  } catch {
    return null
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolvePort(port))
    })
  })
}

async function waitForReady(base, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  while (Date.now() < deadline) {
    if (api.exitCode !== null) throw new Error(`the Api exited with code ${api.exitCode} (see .artifacts/e2e/api.log)`)
    try {
      const response = await fetch(`${base}/readyz`)
      if (response.ok) return
      last = `HTTP ${response.status}`
    } catch (error) {
      last = error.message
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`/readyz not ready after ${timeoutMs / 1000} s (${last})`)
}

const scenarios = []
function scenario(name, fn, { needs = [] } = {}) {
  scenarios.push({ name, fn, needs })
}

async function shot(page, index, name) {
  const file = join(artifacts, `${String(index + 1).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`)
  try {
    await page.screenshot({ path: file, fullPage: true })
  } catch {
    // A screenshot is evidence, not a test result.
  }
}

// ------------------------------------------------------------------------------------------------ scenarios
const state = { workspaceId: null, apiKey: null, ingested: false }

scenario('first-run setup through the UI lands in the inbox of the new workspace', async ({ page, base }) => {
  await page.goto(`${base}/`)
  await page.waitForURL(/\/setup$/, { timeout: 15000 })
  await page.fill('input[name=email]', EMAIL)
  await page.fill('input[name=password]', PASSWORD)
  await page.fill('input[name=workspace]', WORKSPACE)
  await page.click('button[type=submit]')
  await page.waitForURL(/\/w\/[0-9a-f-]{36}\/inbox/, { timeout: 15000 })
  state.workspaceId = page.url().match(/\/w\/([0-9a-f-]{36})\//)[1]
  await page.getByRole('heading', { name: 'Inbox' }).waitFor({ timeout: 10000 })
  const current = (await page.locator('.ws-name').textContent())?.trim()
  if (current !== WORKSPACE) throw new Error(`workspace switcher shows "${current}", expected "${WORKSPACE}"`)
  // The inbox settles into its list, empty or error state (never an endless spinner).
  await page.locator('.signal-list, .empty-state, .error-state').first().waitFor({ timeout: 15000 })
})

scenario('logout, then login with a wrong and then the right password', async ({ page, base }) => {
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.waitForURL(/\/login/, { timeout: 10000 })
  const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status)
  if (me !== 401) throw new Error(`after sign-out GET /api/v1/me answered ${me}, expected 401`)
  await page.fill('input[name=email]', EMAIL)
  await page.fill('input[name=password]', 'not the password at all')
  await page.click('button[type=submit]')
  const error = page.locator('[data-test=login-error]')
  await error.waitFor({ timeout: 10000 })
  const text = (await error.textContent()) ?? ''
  if (!/incorrect/i.test(text)) throw new Error(`unexpected sign-in error text: "${text.trim()}"`)
  if (!/\/login/.test(page.url())) throw new Error('left the login page after a wrong password')
  await page.fill('input[name=password]', PASSWORD)
  await page.click('button[type=submit]')
  await page.waitForURL(new RegExp(`/w/${state.workspaceId}/inbox`), { timeout: 15000 })
  await page.getByRole('heading', { name: 'Inbox' }).waitFor({ timeout: 10000 })
}, { needs: [0] })

scenario('an API key created in settings is shown exactly once', async ({ page, base }) => {
  await page.getByRole('link', { name: 'API keys' }).click()
  await page.waitForURL(/\/settings\/api-keys$/, { timeout: 10000 })
  await page.fill('input[name=key-name]', 'e2e ingest')
  await page.selectOption('select[name=key-role]', 'member')
  await page.getByRole('button', { name: 'Create key' }).click()
  const secret = page.locator('[data-test=secret]')
  await secret.waitFor({ timeout: 10000 })
  const key = (await secret.textContent())?.trim() ?? ''
  if (!key.startsWith('gm_')) throw new Error(`the displayed key "${key.slice(0, 8)}…" does not look like an API key`)
  const warning = await page.locator('[data-test=created-key]').textContent()
  if (!/won.t be able to see it again/i.test(warning ?? '')) throw new Error('no "shown once" warning next to the key')
  await shot(page, 2, 'api-key-created')
  state.apiKey = key
  await page.reload()
  await page.locator('tr[data-key="e2e ingest"]').waitFor({ timeout: 10000 })
  if (await page.locator('[data-test=secret]').count()) throw new Error('the key is still displayed after a reload')
  const listed = await page.locator('tr[data-key="e2e ingest"]').textContent()
  if (listed?.includes(key)) throw new Error('the key list shows the full secret')
  await page.goto(`${base}/w/${state.workspaceId}/settings/api-keys`)
}, { needs: [0, 1] })

scenario('signals ingested with the API key appear in the inbox; HTML in a title stays text', async ({ page, base, dialogs }) => {
  await page.goto(`${base}/w/${state.workspaceId}/inbox`)
  await page.getByRole('heading', { name: 'Inbox' }).waitFor({ timeout: 10000 })
  // Give the hub a moment to connect so "live" is really tested when it can be.
  await page.locator('.live-live').waitFor({ timeout: 8000 }).catch(() => undefined)
  const wasLive = (await page.locator('.live-live').count()) > 0
  const now = new Date().toISOString()
  const items = [
    { source: 'github', kind: 'issue', externalId: `e2e-${runId}-1`, url: 'https://github.com/acme/app/issues/1', title: TITLES.crash, body: 'The app crashes every time I export a CSV file on my Pixel 7. Stack trace attached.', author: { username: 'droid-dev', displayName: 'Droid Dev', profileUrl: 'https://github.com/droid-dev' }, createdAt: now },
    { source: 'reddit', kind: 'post', externalId: `e2e-${runId}-2`, url: 'https://www.reddit.com/r/acme/comments/abc/', title: TITLES.dark, body: 'I love the product, but please add dark mode — my eyes hurt at night.', author: { username: 'nightowl', displayName: 'Night Owl', profileUrl: 'https://www.reddit.com/user/nightowl' }, createdAt: now },
    { source: 'x', kind: 'post', externalId: `e2e-${runId}-3`, url: 'https://x.com/mallory/status/1', title: TITLES.xss, body: 'Clicking <b>login</b> does nothing <script>alert(3)</script>', author: { username: 'mallory', displayName: '<img src=y onerror=alert(4)>', profileUrl: 'https://x.com/mallory' }, createdAt: now },
  ]
  const response = await fetch(`${base}/api/v1/workspaces/${state.workspaceId}/signals/ingest`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Api-Key': state.apiKey },
    body: JSON.stringify(items),
  })
  const body = await response.text()
  if (response.status !== 202) throw new Error(`ingest answered ${response.status} ${body.slice(0, 200)}`)
  const accepted = JSON.parse(body).accepted
  if (accepted !== 3) throw new Error(`ingest accepted ${accepted} of 3: ${body.slice(0, 300)}`)
  state.ingested = true

  const rows = page.locator('.signal', { hasText: runId })
  let how = 'live'
  try {
    await page.waitForFunction((id) => document.querySelectorAll(`.signal`).length >= 3 && [...document.querySelectorAll('.signal')].filter((e) => e.textContent.includes(id)).length >= 3, runId, { timeout: 20000 })
  } catch {
    how = 'after refresh'
    await page.reload()
    try {
      await page.waitForFunction((id) => [...document.querySelectorAll('.signal')].filter((e) => e.textContent.includes(id)).length >= 3, runId, { timeout: 20000 })
    } catch {
      const shown = (await page.locator('.error-state, .empty-state').first().innerText().catch(() => null))?.replace(/\s+/g, ' ').trim()
      throw new Error(`the 3 signals did not appear, live or after a reload; the inbox shows: ${shown ?? `${await rows.count()} of them`}`)
    }
  }
  log(`# signals appeared ${how}${wasLive ? '' : ' (the hub was not connected)'}`)
  if (await rows.count() < 3) throw new Error('fewer than 3 signals listed')

  const xssTitle = page.locator('.signal-title', { hasText: '<img src=x onerror=alert(1)>' })
  if ((await xssTitle.count()) !== 1) throw new Error('the title with HTML is not shown literally as text')
  const injected = await page.locator('.signal-list img, .signal-list script, .signal-list b').count()
  if (injected > 0) throw new Error(`${injected} element(s) from signal text were rendered as HTML`)
  const unsafeLinks = await page.locator('.signal-list a[href^="javascript:"]').count()
  if (unsafeLinks > 0) throw new Error('a javascript: URL from a signal is clickable')
  const external = await page.locator('.signal-list a[target=_blank]').evaluateAll((links) => links.filter((a) => a.rel !== 'noopener noreferrer').length)
  if (external > 0) throw new Error('an external link lacks rel="noopener noreferrer"')
  await page.waitForTimeout(500)
  if (dialogs.length > 0) throw new Error(`a dialog fired: ${dialogs.join(', ')}`)
}, { needs: [0, 2] })

scenario('dismissing a signal persists after a reload', async ({ page }) => {
  const row = page.locator('.signal', { hasText: TITLES.crash })
  await row.waitFor({ timeout: 10000 })
  const patched = page.waitForResponse((r) => r.request().method() === 'PATCH' && /\/signals\//.test(r.url()), { timeout: 10000 })
  await row.getByRole('button', { name: 'Dismiss' }).click()
  const response = await patched
  if (!response.ok()) throw new Error(`PATCH answered ${response.status()}`)
  await page.waitForFunction((t) => [...document.querySelectorAll('.signal')].some((e) => e.textContent.includes(t) && e.dataset.status === 'dismissed'), TITLES.crash, { timeout: 10000 })
  await page.reload()
  const after = page.locator('.signal', { hasText: TITLES.crash })
  await after.waitFor({ timeout: 15000 })
  const status = await after.getAttribute('data-status')
  if (status !== 'dismissed') throw new Error(`after reload the signal is "${status}", expected "dismissed"`)
  const badge = (await after.locator('[data-test=status]').textContent())?.trim()
  if (badge !== 'Dismissed') throw new Error(`status badge shows "${badge}"`)
}, { needs: [3] })

scenario('search narrows the list', async ({ page }) => {
  await page.locator('.signal', { hasText: TITLES.dark }).waitFor({ timeout: 10000 })
  const search = page.getByRole('searchbox', { name: 'Search signals' })
  await search.fill('dark mode')
  await search.press('Enter')
  await page.waitForURL(/[?&]q=dark/, { timeout: 10000 })
  await page.waitForFunction(
    ({ dark, crash }) => {
      const rows = [...document.querySelectorAll('.signal')].map((e) => e.textContent)
      return rows.some((t) => t.includes(dark)) && !rows.some((t) => t.includes(crash))
    },
    { dark: TITLES.dark, crash: TITLES.crash },
    { timeout: 15000 },
  )
  const chip = await page.locator('.chip.active').count()
  await search.fill('')
  await search.press('Enter')
  await page.waitForFunction((crash) => [...document.querySelectorAll('.signal')].some((e) => e.textContent.includes(crash)), TITLES.crash, { timeout: 15000 })
  if (chip !== 0) throw new Error('a filter chip was active during the search')
  await search.fill('dark mode')
  await search.press('Enter')
  await page.waitForFunction((crash) => ![...document.querySelectorAll('.signal')].some((e) => e.textContent.includes(crash)), TITLES.crash, { timeout: 15000 })
}, { needs: [3] })

// ------------------------------------------------------------------------------------------------ runner
async function main() {
  mkdirSync(artifacts, { recursive: true })
  const found = findApiDll()
  const chromiumPath = findChromium()
  const problems = []
  if (!found) problems.push('no built Api: run `dotnet build src/Api` (Release or Debug) first')
  if (!existsSync(join(wwwroot, 'index.html'))) problems.push('no dashboard in src/Api/wwwroot: run `npm run build` in frontend/ first')
  if (!chromiumPath) problems.push('Chromium not found (apt-get install chromium, or set CHROMIUM_PATH)')
  if (problems.length > 0) {
    for (const s of scenarios) {
      log(`not ok - ${s.name}: ${problems.join('; ')}`)
      results.push({ ok: false })
    }
    return
  }

  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  dataDir = mkdtempSync(join(tmpdir(), 'gitmesh-e2e-'))
  const apiLog = createWriteStream(join(artifacts, 'api.log'))
  api = spawn('dotnet', [found.dll], {
    cwd: found.bin,
    env: {
      ...process.env,
      ASPNETCORE_ENVIRONMENT: 'Production',
      ASPNETCORE_URLS: base,
      // Running the dll from its bin folder: point the web root at the built dashboard.
      ASPNETCORE_WEBROOT: wwwroot,
      GitMesh__DataDirectory: dataDir,
      DOTNET_NOLOGO: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  api.stdout.pipe(apiLog)
  api.stderr.pipe(apiLog)
  log(`# Api: ${found.dll} on ${base}, data in ${dataDir}`)
  await waitForReady(base, 90000)

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: !process.env.E2E_HEADED,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'].filter((a) => a !== '--headless' || !process.env.E2E_HEADED),
  })
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 } })
  const page = await context.newPage()
  page.setDefaultTimeout(15000)
  const dialogs = []
  page.on('dialog', async (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`)
    await dialog.dismiss().catch(() => undefined)
  })
  const pageErrors = []
  page.on('pageerror', (error) => pageErrors.push(error.message))

  for (const [index, s] of scenarios.entries()) {
    const missing = s.needs.filter((n) => !results[n]?.ok)
    if (missing.length > 0) {
      log(`not ok - ${s.name}: skipped because an earlier scenario failed (${missing.map((n) => scenarios[n].name).join('; ')})`)
      results.push({ ok: false })
      await shot(page, index, s.name)
      continue
    }
    try {
      await s.fn({ page, base, dialogs })
      log(`ok - ${s.name}`)
      results.push({ ok: true })
    } catch (error) {
      const message = String(error?.message ?? error).split('\n')[0]
      log(`not ok - ${s.name}: ${message}`)
      results.push({ ok: false })
    }
    await shot(page, index, s.name)
  }
  if (pageErrors.length > 0) log(`# uncaught errors in the page: ${pageErrors.slice(0, 5).join(' | ')}`)
}

let exitCode = 1
try {
  await main()
} catch (error) {
  const message = String(error?.message ?? error).split('\n')[0]
  for (const s of scenarios.slice(results.length)) {
    log(`not ok - ${s.name}: ${message}`)
    results.push({ ok: false })
  }
} finally {
  await cleanup()
  clearTimeout(watchdog)
  exitCode = finish()
}
process.exit(exitCode)
