// Client version the fake pretends to be, and the output/flag family it belongs to.

export type Family = '1.20-1.21' | '1.22-1.26' | '1.27-1.29' | '1.30+';

export interface ClientVersion {
  /** exactly what FAKE_ISTIOCTL_VERSION said, e.g. "1.28.1" */
  raw: string;
  major: number;
  minor: number;
  patch: number;
  family: Family;
}

export function parseClientVersion(raw: string): ClientVersion {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/.exec(raw);
  if (!m) throw new Error(`invalid FAKE_ISTIOCTL_VERSION ${JSON.stringify(raw)} (want e.g. 1.28.1)`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const patch = m[3] === undefined ? 0 : Number(m[3]);
  if (major !== 1 || minor < 20) {
    throw new Error(`unsupported FAKE_ISTIOCTL_VERSION ${JSON.stringify(raw)}: the fake covers 1.20 and later`);
  }
  return { raw, major, minor, patch, family: familyOf(minor) };
}

export function familyOf(minor: number): Family {
  if (minor <= 21) return '1.20-1.21';
  if (minor <= 26) return '1.22-1.26';
  if (minor <= 29) return '1.27-1.29';
  return '1.30+';
}

/** true when the version is at least 1.<minor> */
export function atLeast(v: ClientVersion, minor: number, patch = 0): boolean {
  return v.minor > minor || (v.minor === minor && v.patch >= patch);
}
