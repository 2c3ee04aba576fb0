/** The whole window: header, then the wizard or the job history. */
import { useEffect } from 'react';
import { JobsScreen } from '../screens/JobsScreen.js';
import { useWizard } from '../store/wizard-context.js';
import { Header } from './Header.js';
import { Wizard } from './Wizard.js';

export function App() {
  const view = useWizard((s) => s.view);
  const start = useWizard((s) => s.start);
  useEffect(() => start(), [start]);
  return (
    <div className="app">
      <Header />
      {view === 'wizard' ? <Wizard /> : <JobsScreen />}
    </div>
  );
}
