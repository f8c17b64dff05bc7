/**
 * @module This machine's Debian (or Ubuntu) release and the apt mirror it installs from: the base
 * image is bootstrapped from the same release, so the host's own Node binary runs in it unchanged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const OS_RELEASE = path.join(path.sep, 'etc', 'os-release');
const APT_SOURCES = path.join(path.sep, 'etc', 'apt', 'sources.list');
const APT_SOURCES_DIR = `${APT_SOURCES}.d`;
const FALLBACK_MIRROR = 'http://deb.debian.org/debian';

/** The host's release from /etc/os-release: its codename is the debootstrap suite (`bookworm`). */
export function hostRelease(): { id: string; codename: string; pretty: string } {
  let text: string;
  try {
    text = readFileSync(OS_RELEASE, 'utf8');
  } catch {
    throw new Error(`no ${OS_RELEASE}: cannot tell which Debian release to bootstrap`);
  }
  const field = (key: string) => new RegExp(`^${key}=("?)(.*)\\1$`, 'm').exec(text)?.[2] ?? '';
  const codename = field('VERSION_CODENAME');
  if (!codename) throw new Error(`${OS_RELEASE} has no VERSION_CODENAME (${field('PRETTY_NAME') || 'unknown system'}): cannot choose a debootstrap suite`);
  return { id: field('ID'), codename, pretty: field('PRETTY_NAME') };
}

interface AptSource {
  uri: string;
  suites: string[];
}

/** `deb` lines of a one-line-style .list file. */
function listEntries(text: string): AptSource[] {
  return [...text.matchAll(/^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/gm)].map((m) => ({ uri: m[1] ?? '', suites: [m[2] ?? ''] }));
}

/** Enabled `Types: deb` stanzas of a deb822-style .sources file. */
function sourcesEntries(text: string): AptSource[] {
  return text.split(/\n\s*\n/).flatMap((stanza) => {
    const get = (key: string) => new RegExp(`^${key}:[ \\t]*(.*)$`, 'mi').exec(stanza)?.[1]?.trim() ?? '';
    if (!get('Types').split(/\s+/).includes('deb') || /^(no|false)$/i.test(get('Enabled'))) return [];
    const suites = get('Suites').split(/\s+/);
    return get('URIs').split(/\s+/).filter(Boolean).map((uri) => ({ uri, suites }));
  });
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/**
 * The apt mirror this machine uses for `suite` (its main archive, not the security one), from
 * /etc/apt/sources.list and sources.list.d; CVLAB_DEBIAN_MIRROR overrides it; deb.debian.org otherwise.
 */
export function debianMirror(suite: string): string {
  if (process.env.CVLAB_DEBIAN_MIRROR) return process.env.CVLAB_DEBIAN_MIRROR;
  let extra: string[] = [];
  try {
    extra = readdirSync(APT_SOURCES_DIR).sort().map((name) => path.join(APT_SOURCES_DIR, name));
  } catch {
    /* no sources.list.d */
  }
  const entries = [APT_SOURCES, ...extra].flatMap((file) => {
    if (file.endsWith('.sources')) return sourcesEntries(readOr(file, ''));
    return file === APT_SOURCES || file.endsWith('.list') ? listEntries(readOr(file, '')) : [];
  });
  const usable = entries.filter((entry) => /^(https?|file):/.test(entry.uri) && entry.suites.includes(suite));
  const main = usable.find((entry) => !/security/.test(entry.uri)) ?? usable[0];
  return main ? main.uri.replace(/\/+$/, '') : FALLBACK_MIRROR;
}
