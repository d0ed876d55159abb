// A Redis URL fit for messages and logs: its password replaced by ***, without a trailing slash; a string that is
// not a URL is returned as it is.
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
