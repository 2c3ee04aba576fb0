/**
 * BIOS or UEFI, with the one the disk boots with marked and why Ferry thinks so; choosing the
 * other is allowed, with a warning that the guest may not start.
 */
import { useId } from 'react';
import { FIRMWARES, type Firmware } from '../../shared/machines.js';
import { ChoiceCard } from '../components/ChoiceCard.js';
import { Notice } from '../components/Notice.js';
import { useI18n } from '../i18n/i18n-context.js';
import { useWizard } from '../store/wizard-context.js';

export function FirmwareChoice({ shown }: { shown: Firmware }) {
  const { t } = useI18n();
  const detected = useWizard((s) => s.lastPlan?.firmware ?? null);
  const setFirmware = useWizard((s) => s.setFirmware);
  const reasonId = useId();
  const name = (firmware: Firmware): string => t.customize.firmwares[firmware].name;
  return (
    <div className="firmware">
      <fieldset
        className="choice-grid two"
        aria-describedby={detected === null ? undefined : reasonId}
      >
        <legend className="field-label">{t.customize.firmware}</legend>
        {FIRMWARES.map((firmware) => (
          <ChoiceCard
            key={firmware}
            compact
            name="firmware"
            value={firmware}
            checked={firmware === shown}
            onSelect={() => setFirmware(firmware)}
            title={
              <>
                {name(firmware)}
                {firmware === detected?.detected && (
                  <>
                    {' '}
                    <span className="badge badge-detected">{t.customize.detected}</span>
                  </>
                )}
              </>
            }
            description={t.customize.firmwares[firmware].description}
          />
        ))}
      </fieldset>
      {detected && (
        <p id={reasonId} className="field-hint">
          {t.customize.detectedBecause(name(detected.detected), detected.reason)}
        </p>
      )}
      {detected && shown !== detected.detected && (
        <Notice tone="warning" title={t.customize.mismatchTitle}>
          <p>{t.customize.mismatch(name(shown), name(detected.detected))}</p>
        </Notice>
      )}
    </div>
  );
}
