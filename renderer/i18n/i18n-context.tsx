/** The language in use, its messages and number formats, for every component. */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Messages } from './en.js';
import { en } from './en.js';
import { dateText, durationText, rateText, sizeText, timeText } from './format.js';
import { fr } from './fr.js';
import type { Language } from './language.js';

const MESSAGES: Record<Language, Messages> = { en, fr };

export interface I18n {
  language: Language;
  t: Messages;
  setLanguage(language: Language): void;
  size(bytes: number): string;
  rate(bytesPerSecond: number): string;
  duration(seconds: number): string;
  date(iso: string): string;
  time(iso: string): string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ initial, children }: { initial: Language; children: ReactNode }) {
  const [language, setLanguage] = useState<Language>(initial);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const value = useMemo<I18n>(
    () => ({
      language,
      t: MESSAGES[language],
      setLanguage,
      size: (bytes) => sizeText(bytes, language),
      rate: (bytesPerSecond) => rateText(bytesPerSecond, language),
      duration: durationText,
      date: (iso) => dateText(iso, language),
      time: (iso) => timeText(iso, language),
    }),
    [language],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}
