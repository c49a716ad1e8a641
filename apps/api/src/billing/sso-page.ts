/** ssoErrorPage is the page a browser sees for a used or expired sign-on link (the message is ours, never user input). */
export function ssoErrorPage(message: string): string {
  const text = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in link expired</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2933}h1{font-size:1.4rem}</style>
</head><body>
<h1>This sign-in link cannot be used</h1>
<p>${text}</p>
<p><a href="/">Sign in with your email and password</a></p>
</body></html>
`;
}
