// Passwords never leave the package: a store URL is shown without its password, and a message
// that came from elsewhere (the PostgreSQL driver) is scrubbed of it before it is kept.

/**
 * `url` without its password: the `:password` of the user info and any `password=` parameter
 * are removed. Textual, not through `URL`, so that a URL that does not parse is redacted too.
 * The user info ends at the last `@` (a password may hold an unescaped `@`); with no
 * `scheme://`, everything up to the last `@` is dropped. Never throws.
 *
 * @param url - a store URL, or text that may hold one
 */
export function redactUrl(url: string): string {
  let out: string;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  const at = url.lastIndexOf('@');
  if (scheme === null) {
    out = at < 0 ? url : `***@${url.slice(at + 1)}`;
  } else {
    const start = scheme[0].length;
    const userinfo = at < start ? '' : url.slice(start, at);
    const colon = userinfo.indexOf(':');
    out = colon < 0 ? url : `${url.slice(0, start)}${userinfo.slice(0, colon)}@${url.slice(at + 1)}`;
  }
  return out.replace(/([?&]password=)[^&#]*/gi, '$1***');
}

const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/\S+/gi;

/**
 * A message from elsewhere, fit to keep: every URL in it redacted, `password` itself replaced by
 * `***` wherever it appears, control characters made spaces, and at most 300 characters.
 */
export function scrubSecrets(text: string, password: string | undefined): string {
  let out = text.replace(URL_IN_TEXT, (url) => redactUrl(url));
  if (password !== undefined && password !== '') out = out.split(password).join('***');
  // eslint-disable-next-line no-control-regex
  return out.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 300);
}
