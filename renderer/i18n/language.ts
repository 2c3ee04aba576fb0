/** The languages of the wizard, and the one a person's browser or system asks for. */
export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

export function detectLanguage(preferred: string | undefined): Language {
  return preferred?.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}
