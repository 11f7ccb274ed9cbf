/**
 * The web form end to end in headless Chromium against a real broker (real
 * PostgreSQL, the Vault stand-in), every TOTP code from `oathtool`:
 * an admin sets up a tenant and two people; a technician enrolls, signs in
 * with the keyboard, is granted read-only access at once, checks it out, sees
 * the credential once and ends the session; then a manager, in a second
 * browser context, approves the technician's elevated request with a fresh
 * code and the technician sees it active. One screenshot per page goes to
 * test-artifacts/web/. The first admin comes from the bootstrap command's
 * service (`npm run admin -- bootstrap`) and enrolls through the form too.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startBroker, type RunningBroker } from '../../src/server';
import { useTestDatabase } from '../support/database';
import { bootstrapAdmin } from '../../src/identity/bootstrap-admin';
import { testConfig } from '../support/factories';
import { captureLogs } from '../support/log-capture';
import {
  codeAfter,
  currentStep,
  launchChromium,
  screenshot,
  secretOf,
  unlabelledFields,
} from './browser-support';

jest.setTimeout(240_000);

const database = useTestDatabase();
const tenant = `acme-${randomUUID().slice(0, 6)}`;
const MARKUP = '<b>urgent</b> <img src=x> restore the nightly backup';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let broker: RunningBroker;
let browser: Browser;
let adminPage: Page;
let logs: ReturnType<typeof captureLogs>;
// Values that must never reach the operational log.
const secrets: string[] = [];

interface Person {
  email: string;
  password: string;
  secret: string;
  lastStep: number;
  context: BrowserContext;
  page: Page;
}

beforeAll(async () => {
  logs = captureLogs();
  const config = testConfig({ DATABASE_URL: database.url, PORT: '0' });
  broker = await startBroker(config);
  browser = await launchChromium();
  const email = `admin-${randomUUID().slice(0, 8)}@msp.example`;
  const admin = await bootstrapAdmin({ db: database.db, config }, { email });
  const person = await enroll(`${email}\n${admin.enrollment_token}`, true, DESKTOP);
  await signInWithKeyboard(person, true);
  expect(person.page.url()).toMatch(/\/admin$/);
  adminPage = person.page;
});

afterAll(async () => {
  logs?.stop();
  await browser?.close();
  await broker?.stop();
});

// A screenshot of each page, and every visible field on it has a label.
async function shoot(page: Page, name: string) {
  await screenshot(page, name);
  expect(await unlabelledFields(page)).toEqual([]);
}

async function submit(page: Page, formSelector: string, button = 'button[type="submit"]') {
  await Promise.all([
    page.waitForLoadState('load'),
    page.locator(formSelector).locator(button).first().click(),
  ]);
}

// The admin creates an account on the admin page and reads its enrollment token.
async function createAccount(role: 'technician' | 'manager'): Promise<string> {
  const email = `${role}-${randomUUID().slice(0, 8)}@msp.example`;
  const form = adminPage.locator('form[action="/admin/technicians"]');
  await form.locator('input[name="email"]').fill(email);
  await form.locator('input[name="display_name"]').fill(`A ${role}`);
  await form.locator('select[name="role"]').selectOption(role);
  await Promise.all([adminPage.waitForURL('**/admin/technicians'), form.locator('button').click()]);
  const token = (await adminPage.locator('#enrollment-token').textContent())!.trim();
  await assign(email, role);
  return `${email}\n${token}`;
}

async function assign(email: string, relation: 'technician' | 'manager') {
  await adminPage.goto(`${broker.url}/admin`);
  const form = adminPage.locator('form[action="/admin/assignments"].row');
  await form.locator('select[name="tenant"]').selectOption(tenant);
  await form.locator('select[name="technician"]').selectOption({ label: email });
  await form.locator('select[name="relation"]').selectOption(relation);
  await Promise.all([
    adminPage.waitForURL('**/admin?notice=assigned'),
    form.locator('button').click(),
  ]);
}

// A new person enrolls in their own browser context from the admin's token.
async function enroll(handover: string, shots: boolean, viewport = PHONE): Promise<Person> {
  const [email, token] = handover.split('\n') as [string, string];
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const password = `Quiet-lantern-${randomUUID()}`;
  await page.goto(`${broker.url}/enroll`);
  if (shots) await shoot(page, '03-enroll');
  await page.getByLabel('Enrollment token').fill(token);
  await page.getByLabel('Choose a password').fill(password);
  await submit(page, 'form[action="/enroll"]');
  expect(await page.locator('img.qr').count()).toBe(1);
  if (shots) await shoot(page, '04-enroll-qr-code');
  const secret = secretOf((await page.locator('#otpauth-uri').textContent())!);
  secrets.push(token, password, secret);
  const { code, step } = await codeAfter(secret, 0);
  await page.getByLabel('Code from your authenticator').fill(code);
  await submit(page, 'form[action="/enroll/confirm"]');
  expect(await page.locator('#recovery-codes li').count()).toBeGreaterThanOrEqual(8);
  if (shots) await shoot(page, '05-enroll-recovery-codes');
  return { email, password, secret, lastStep: step, context, page };
}

// Signs in with the keyboard only: type, Tab, Enter.
async function signInWithKeyboard(person: Person, shots: boolean) {
  const { page } = person;
  await page.goto(`${broker.url}/sign-in`);
  if (shots) await shoot(page, '06-sign-in');
  await page.getByLabel('Email').focus();
  await page.keyboard.type(person.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(person.password);
  await Promise.all([page.waitForURL('**/sign-in/code'), page.keyboard.press('Enter')]);
  if (shots) await shoot(page, '07-sign-in-code');
  const { code, step } = await codeAfter(person.secret, person.lastStep);
  person.lastStep = step;
  await page.getByLabel('Authenticator code').focus();
  await page.keyboard.type(code);
  // Each role lands on its own first page.
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/sign-in') && url.pathname !== '/'),
    page.keyboard.press('Enter'),
  ]);
}

async function requestAccess(person: Person, profile: string, extra: Record<string, string>) {
  const { page } = person;
  await page.goto(`${broker.url}/requests/new?tenant=${tenant}`);
  await page.locator(`#profile-${profile}`).check();
  await page.getByLabel('Duration').fill('30m');
  await page.getByLabel('Justification').fill(MARKUP);
  if (extra.ticket) await page.getByLabel('Ticket').fill(extra.ticket);
  if (extra.shot) await shoot(page, extra.shot);
  await submit(page, '#request-form');
}

function grantStatus(page: Page, profile: string) {
  return page
    .locator('#grants tbody tr', { hasText: profile })
    .first()
    .locator('.grant-status')
    .textContent();
}

describe('the web form in a browser', () => {
  let tech: Person;
  let manager: Person;

  it('an admin sets up the tenant and the people on the admin page', async () => {
    await adminPage.goto(`${broker.url}/admin`);
    const form = adminPage.locator('form[action="/admin/tenants"]');
    await form.locator('input[name="slug"]').fill(tenant);
    await form.locator('input[name="name"]').fill('Acme & Sons <GmbH>');
    await submit(adminPage, 'form[action="/admin/tenants"]');
    expect(adminPage.url()).toContain('notice=tenant-created');
    expect(await adminPage.locator('#tenants').textContent()).toContain('Acme & Sons <GmbH>');

    const techHandover = await createAccount('technician');
    const managerHandover = await createAccount('manager');
    await shoot(adminPage, '01-admin');
    tech = await enroll(techHandover, false);
    manager = await enroll(managerHandover, false);
    expect(await adminPage.locator('#assignments').textContent()).toContain(manager.email);
  });

  it('a technician signs in, is granted at once, checks out, sees the credential once, ends the session', async () => {
    await signInWithKeyboard(tech, false);
    const { page } = tech;
    expect(page.url()).toMatch(/\/access$/);
    await shoot(page, '08-my-access');
    await requestAccess(tech, 'read-only', { shot: '09-request-form' });
    expect(page.url()).toContain('/access?notice=granted');
    expect(await grantStatus(page, 'read-only')).toBe('active');
    // The justification's markup is text on the page, not elements.
    const shown = page.locator('#requests td.justification').first();
    expect(await shown.textContent()).toBe(MARKUP);
    expect(await shown.locator('b, img').count()).toBe(0);

    await submit(page, '#grants tbody tr:has-text("read-only")', 'button');
    expect(await page.locator('#wrap-token').count()).toBe(1);
    await shoot(page, '10-checkout');
    const again = {
      _csrf: (await page.locator('input[name="_csrf"]').first().getAttribute('value'))!,
      wrap_token: (await page.locator('#wrap-token').textContent())!.trim(),
      tenant,
    };
    secrets.push(again.wrap_token);
    await submit(page, 'form[action="/credentials/unwrap"]');
    secrets.push((await page.locator('#credential dd pre').first().textContent())!.trim());
    const credential = (await page.locator('#credential').textContent()) ?? '';
    expect(credential).toMatch(/token/i);
    await shoot(page, '11-credential-once');
    // The wrapping token opens once: posting it again (a reload, an interceptor) fails.
    const replay = await page.request.post(`${broker.url}/credentials/unwrap`, { form: again });
    expect(replay.status()).toBe(410);
    expect(await replay.text()).toContain('data-error-code="credential.already_unwrapped"');
    expect(replay.headers()['cache-control']).toBe('no-store');

    await page.goto(`${broker.url}/access`);
    expect(await page.locator('#sessions tbody tr').count()).toBe(1);
    await submit(page, '#sessions tbody tr', 'button');
    expect(page.url()).toContain('notice=session-closed');
    expect(await page.locator('#sessions').count()).toBe(0);
  });

  it('a manager approves an elevated request with a fresh code; the technician sees it active', async () => {
    await requestAccess(tech, 'admin', { ticket: 'T-4711' });
    expect(tech.page.url()).toContain('/access?notice=requested');

    await signInWithKeyboard(manager, false);
    const { page } = manager;
    await page.goto(`${broker.url}/approvals`);
    const card = page.locator('section[data-request]', { hasText: tech.email });
    expect(await card.locator('.justification').textContent()).toBe(MARKUP);
    await shoot(page, '12-approvals');
    const { code, step } = await codeAfter(manager.secret, manager.lastStep);
    manager.lastStep = step;
    await card.locator('input[name="note"]').fill('ok for T-4711');
    await card.locator('input[name="code"]').fill(code);
    await Promise.all([
      page.waitForURL('**/approvals?notice=approved'),
      card.locator('button[value="approve"]').click(),
    ]);

    await tech.page.goto(`${broker.url}/access`);
    expect(await grantStatus(tech.page, 'admin')).toBe('active');
    await shoot(tech.page, '13-my-access-approved');
    // Readable on a phone: nothing wider than the screen.
    const width = await tech.page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(PHONE.width);
  });

  it('a form posted without its CSRF token is refused in the browser too', async () => {
    const { page } = tech;
    await page.goto(`${broker.url}/access`);
    await page
      .locator('form[action="/sign-out"] input[name="_csrf"]')
      .evaluate((input) => input.remove());
    await submit(page, 'form[action="/sign-out"]');
    expect(await page.locator('[data-error-code]').getAttribute('data-error-code')).toBe(
      'web.csrf_invalid',
    );
    await shoot(page, '14-csrf-refused');
  });

  it('the admin verifies the tenant audit log; the technician signs out', async () => {
    await adminPage.goto(`${broker.url}/audit/${tenant}?verify=1`);
    expect(await adminPage.locator('#verify-result').textContent()).toContain('Chain intact');
    await shoot(adminPage, '15-audit');

    await tech.page.goto(`${broker.url}/access`);
    await submit(tech.page, 'form[action="/sign-out"]');
    expect(tech.page.url()).toContain('/sign-in?notice=signed-out');
    await tech.page.goto(`${broker.url}/access`);
    expect(tech.page.url()).toMatch(/\/sign-in$/);
    expect(currentStep()).toBeGreaterThan(0);
  });

  it('no password, TOTP secret, enrollment token, wrapping token or credential reached the log', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    expect(logs.lines.length).toBeGreaterThan(0);
    const text = logs.text();
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
