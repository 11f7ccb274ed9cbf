/**
 * The template engine of the web form: nunjucks with autoescape on, so every
 * value a template prints is HTML-escaped unless a template says otherwise
 * (none does). Templates live in src/web/templates.
 */
import nunjucks from 'nunjucks';
import { webAssetDir } from './web-assets';

/** Whole seconds as "2h 05m", "14m", "40s". */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m`;
  return `${s}s`;
}

/** An ISO time as "2026-12-03 14:05 UTC": the same on every screen. */
export function humanTime(value: string | Date | null | undefined): string {
  if (!value) return '';
  const iso = new Date(value).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The configured environment; one per app. */
export function createViews(): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(webAssetDir('templates')), {
    autoescape: true,
    throwOnUndefined: false,
  });
  env.addFilter('duration', humanDuration);
  env.addFilter('time', humanTime);
  return env;
}
