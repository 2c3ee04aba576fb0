/** Numbers as each language writes them: binary units (octets in French), rates, durations, dates. */
import { formatSize } from '../../shared/units.js';
import type { Language } from './language.js';

const FRENCH_UNITS: Record<string, string> = {
  B: 'o',
  KiB: 'Kio',
  MiB: 'Mio',
  GiB: 'Gio',
  TiB: 'Tio',
  PiB: 'Pio',
};

export function sizeText(bytes: number, language: Language): string {
  const text = formatSize(bytes);
  if (language === 'en') return text;
  const [number = '', unit = ''] = text.split(' ');
  return `${number.replace('.', ',')} ${FRENCH_UNITS[unit] ?? unit}`;
}

export function rateText(bytesPerSecond: number, language: Language): string {
  return `${sizeText(Math.round(bytesPerSecond), language)}/s`;
}

/** 42 s, 3 min 05 s, 1 h 02 min: the same in English and French. */
export function durationText(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${pad(whole % 60)} s`;
  return `${Math.floor(whole / 3600)} h ${pad(Math.floor((whole % 3600) / 60))} min`;
}

export function dateText(iso: string, language: Language): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(language, { dateStyle: 'medium', timeStyle: 'short' });
}

export function timeText(iso: string, language: Language): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleTimeString(language, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}
