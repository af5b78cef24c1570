// The signed-in key pair. It lives in this tab's sessionStorage only: it leaves the page
// solely as SigV4 signatures computed here, never as a value sent to anyone.

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
}

const KEY = "sensorium.console.credentials";

export function load(): Credentials | null {
  const stored = sessionStorage.getItem(KEY);
  if (!stored) return null;
  try {
    const value = JSON.parse(stored) as Credentials;
    return value.accessKeyId && value.secretAccessKey && value.region ? value : null;
  } catch {
    return null;
  }
}

export function save(credentials: Credentials): void {
  sessionStorage.setItem(KEY, JSON.stringify(credentials));
}

export function clear(): void {
  sessionStorage.removeItem(KEY);
}

/** The configuration every SDK client of the console takes: this server, the typed key. */
export function clientConfig(credentials: Credentials) {
  return {
    endpoint: window.location.origin,
    region: credentials.region,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken || undefined,
    },
  };
}

/** Answers that mean the key itself was refused (unknown key, wrong secret, expired token). */
const REFUSED = new Set([
  "InvalidSignatureException",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "InvalidClientTokenId",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "ExpiredTokenException",
  "AccessDeniedException",
]);

export function isRefusal(error: unknown): boolean {
  return error instanceof Error && REFUSED.has(error.name);
}
