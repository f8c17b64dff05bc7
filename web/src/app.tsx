/** @module The portal's frame: sign-in until a training key works, then the header and the page the URL names. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, type Keys } from './api/client';
import { LoginPage } from './pages/login/login-page';
import { ProjectPage } from './pages/project/project-page';
import { ProjectsPage } from './pages/projects/projects-page';
import { SettingsPage } from './pages/settings/settings-page';
import { useRoute } from './router';
import { forgetKeys, loadKeys, loadLargeType, saveKeys, saveLargeType } from './session';

export function App() {
  const [keys, setKeys] = useState<Keys | null>(loadKeys);
  const [largeType, setLargeType] = useState(loadLargeType);
  const route = useRoute();
  const api = useMemo(() => (keys ? new Api(keys) : null), [keys]);

  useEffect(() => {
    document.documentElement.classList.toggle('large-type', largeType);
    saveLargeType(largeType);
  }, [largeType]);

  const signIn = (given: Keys) => {
    saveKeys(given);
    setKeys(given);
  };
  const signOut = () => {
    forgetKeys();
    setKeys(null);
  };

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="app-header">
        <a class="brand" href="#/">
          Custom Vision <span class="brand-local">local</span>
        </a>
        {api && (
          <nav aria-label="Main">
            <a href="#/" aria-current={route.page !== 'settings' ? 'page' : undefined}>
              Projects
            </a>
            <a href="#/settings" aria-current={route.page === 'settings' ? 'page' : undefined}>
              Settings
            </a>
          </nav>
        )}
        <div class="header-actions">
          <label class="toggle">
            <input type="checkbox" checked={largeType} onChange={(e) => setLargeType(e.currentTarget.checked)} />
            Large type
          </label>
          {api && (
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {!api ? (
          <LoginPage onSignedIn={signIn} />
        ) : route.page === 'settings' ? (
          <SettingsPage api={api} onKeysChanged={signIn} />
        ) : route.page === 'project' ? (
          <ProjectPage api={api} projectId={route.projectId} tab={route.tab} detail={route.detail} />
        ) : (
          <ProjectsPage api={api} />
        )}
      </main>
    </>
  );
}
