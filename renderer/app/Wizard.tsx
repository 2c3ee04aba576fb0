/** The conversion wizard: steps on the left, the current screen, its buttons at the bottom. */
import type { ReactElement } from 'react';
import { CustomizeScreen } from '../screens/CustomizeScreen.js';
import { DestinationScreen } from '../screens/DestinationScreen.js';
import { ProgressScreen } from '../screens/ProgressScreen.js';
import { SourceScreen } from '../screens/SourceScreen.js';
import { SummaryScreen } from '../screens/SummaryScreen.js';
import { VolumesScreen } from '../screens/VolumesScreen.js';
import { SCREEN_TITLE_ID } from '../components/ScreenTitle.js';
import { useWizard } from '../store/wizard-context.js';
import type { Step } from '../store/wizard-state.js';
import { StepList } from './StepList.js';
import { WizardFooter } from './WizardFooter.js';

const SCREENS: Record<Step, () => ReactElement> = {
  source: SourceScreen,
  destination: DestinationScreen,
  volumes: VolumesScreen,
  customize: CustomizeScreen,
  summary: SummaryScreen,
  progress: ProgressScreen,
};

export function Wizard() {
  const step = useWizard((s) => s.step);
  const Screen = SCREENS[step];
  return (
    <div className="wizard">
      <StepList />
      <div className="wizard-main">
        <main className="screen" aria-labelledby={SCREEN_TITLE_ID}>
          <Screen key={step} />
        </main>
        <WizardFooter />
      </div>
    </div>
  );
}
