/**
 * SUSPENDED_PAGE_HTML is what visitors of a suspended tenant's domains see (HTTP 503, over the domain's
 * normal certificate). It names no tenant and carries no `{` so Caddy's placeholder expansion leaves it as is.
 */
export const SUSPENDED_PAGE_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Site temporarily unavailable</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5">
<h1>This site is temporarily unavailable</h1>
<p>The hosting account behind this site has been suspended, so its pages are not being served right now.</p>
<p>If this is your site, please contact your hosting provider to restore it. Visitors can try again later.</p>
</body>
</html>
`;

/**
 * NOT_FOUND_BODY answers requests for hosts Berth does not serve. It must never contain tenant content; it
 * is deliberately terse so probing a server reveals nothing about who is hosted on it.
 */
export const NOT_FOUND_BODY = 'No site is configured at this address.\n';
