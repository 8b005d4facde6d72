import { useEffect } from 'react';
import { useKeyboard } from './keyboard.ts';
import { playTone } from './sound.ts';
import { soundSales } from './state/saleSound.ts';
import { HistoryScreen } from './components/HistoryScreen.tsx';
import { MembersScreen } from './components/members/MembersScreen.tsx';
import { ReportScreen } from './components/ReportScreen.tsx';
import { SaleScreen } from './components/SaleScreens.tsx';
import { SettingsScreen } from './components/SettingsScreen.tsx';
import { Banners, Notices, TopBar } from './components/TopBar.tsx';
import { usePos, usePosStore } from './state/context.ts';

export function App() {
  const store = usePosStore();
  useKeyboard(store);
  useEffect(() => soundSales(store, playTone), [store]);
  const view = usePos((s) => s.view);
  const ready = usePos((s) => s.settings !== null);
  return (
    <div className="app" data-ready={ready ? 'true' : 'false'} data-view={view}>
      <TopBar />
      <Banners />
      <Notices />
      <main className="main">
        {view === 'sale' ? <SaleScreen /> : null}
        {view === 'history' ? <HistoryScreen /> : null}
        {view === 'members' ? <MembersScreen /> : null}
        {view === 'report' ? <ReportScreen /> : null}
        {view === 'settings' ? <SettingsScreen /> : null}
      </main>
    </div>
  );
}
