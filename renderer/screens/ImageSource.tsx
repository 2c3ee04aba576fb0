/** An image or virtual disk file, typed or browsed, inspected on request. */
import type { FormEvent } from 'react';
import { PathField } from '../components/PathField.js';
import { useI18n } from '../i18n/i18n-context.js';
import { useWizard } from '../store/wizard-context.js';

export function ImageSource() {
  const { t } = useI18n();
  const imagePath = useWizard((s) => s.imagePath);
  const setImagePath = useWizard((s) => s.setImagePath);
  const inspectImage = useWizard((s) => s.inspectImage);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void inspectImage();
  };

  return (
    <form className="section image-source" onSubmit={submit}>
      <PathField
        label={t.source.imageLabel}
        value={imagePath}
        mode="file"
        browseTitle={t.source.imageBrowseTitle}
        hint={t.source.imageHint}
        onChange={setImagePath}
        onChoose={(path) => {
          setImagePath(path);
          void inspectImage();
        }}
      />
      <button type="submit" className="button" disabled={imagePath.trim() === ''}>
        {t.source.inspect}
      </button>
    </form>
  );
}
