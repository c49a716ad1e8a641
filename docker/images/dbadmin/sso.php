<?php
/**
 * Berth: single sign-on into phpMyAdmin (MariaDB) and Adminer (PostgreSQL) with the panel's one-time tickets.
 * The container never talks to the panel: the panel writes a ticket file into /run/berth-sso (a bind of
 * <dataDir>/databases/admin/sso, 0700, owned by this uid) and hands the browser the token.
 *
 *   GET /sso/<token>   token: 32–128 of [A-Za-z0-9_-] (the panel uses 32 random bytes, base64url)
 *                      ticket: /run/berth-sso/<sha256 hex of the token>.json, 0600, written to a temporary
 *                      name and renamed, holding
 *                        {"engine":"mariadb"|"postgresql","user":"…","password":"…","database":"…"?,
 *                         "expiresAt":<unix seconds>}
 *   GET /sso/logout    ends a signed-on phpMyAdmin session (its LogoutURL)
 *   GET /sso/          where phpMyAdmin sends a browser without a signed-on session (its SignonURL)
 *
 * A ticket is claimed by renaming it to a private name, so of any number of requests with the same token
 * exactly one wins; it is read and deleted at once, and an expired one signs nobody in. The password goes
 * from the ticket into the tool's server-side session only: never into a page, a URL or a log line.
 */

declare(strict_types=1);

const BERTH_TICKET_DIR = '/run/berth-sso';
const BERTH_TOKEN_RE = '/^[A-Za-z0-9_-]{32,128}$/D';
/** The only shape of a user or database name the panel creates (assertSqlName in the runtime). */
const BERTH_NAME_RE = '/^[a-z][a-z0-9_]{0,62}$/D';
const BERTH_MAX_TICKET_BYTES = 16384;
/** Each tool's session directory: the server-side session files of one tool never serve as the other's. */
const BERTH_SESSIONS = '/run/berth-dbadmin/sessions';
const BERTH_USED = 'This sign-in link was already used or has expired.';

header('Cache-Control: no-store');
header('Referrer-Policy: no-referrer');

$berthHttps = isset($_SERVER['HTTPS']) && strcasecmp((string) $_SERVER['HTTPS'], 'off') !== 0;

/** berth_page answers with a plain page of one or two sentences and ends the request. */
function berth_page(int $status, string $title, string $sentence, string $next): never
{
    http_response_code($status);
    header('Content-Type: text/html; charset=utf-8');
    $h = static fn (string $s): string => htmlspecialchars($s, ENT_QUOTES | ENT_HTML5, 'UTF-8');
    echo "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{$h($title)}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}</style>',
        "</head><body><h1>{$h($title)}</h1><p>{$h($sentence)} {$h($next)}</p></body></html>\n";
    exit;
}

/** berth_refuse is the one answer to a missing, reused, malformed or expired ticket (nothing tells them apart). */
function berth_refuse(string $tool = 'phpMyAdmin'): never
{
    berth_page(403, 'Sign-in link not valid', BERTH_USED, "Open {$tool} again from the panel.");
}

/** berth_start_session opens a fresh session of one tool (never one whose id the browser chose). */
function berth_start_session(string $dir, string $name, string $path, bool $https): void
{
    session_save_path(BERTH_SESSIONS . '/' . $dir);
    session_name($name);
    session_set_cookie_params([
        'lifetime' => 0,
        'path' => $path,
        'domain' => '',
        'secure' => $https,
        'httponly' => true,
        'samesite' => 'Lax',
    ]);
    // A session the browser already had (BerthSignon's cookie reaches /sso/ too) is destroyed, not reused.
    if (isset($_COOKIE[$name]) && is_string($_COOKIE[$name])) {
        session_start();
        session_destroy();
    }
    // Exactly one cookie for the new session (a client that kept the first of two would stay signed out).
    header_remove('Set-Cookie');
    session_id(session_create_id());
    session_start();
    $_SESSION = [];
}

$path = (string) parse_url((string) ($_SERVER['REQUEST_URI'] ?? ''), PHP_URL_PATH);

if ($path === '/sso/logout') {
    if (isset($_COOKIE['BerthSignon']) && is_string($_COOKIE['BerthSignon'])) {
        session_save_path(BERTH_SESSIONS . '/phpmyadmin');
        session_name('BerthSignon');
        session_start();
        $_SESSION = [];
        session_destroy();
        setcookie('BerthSignon', '', ['expires' => 1, 'path' => '/', 'secure' => $berthHttps, 'httponly' => true, 'samesite' => 'Lax']);
    }
    berth_page(200, 'Signed out', 'You are signed out of phpMyAdmin.', 'Open it again from the panel to sign in.');
}

$token = str_starts_with($path, '/sso/') ? substr($path, 5) : '';
if (preg_match(BERTH_TOKEN_RE, $token) !== 1) {
    berth_refuse();
}
// Only a browser's navigation may use up a ticket: a HEAD (a link preview, a proxy's probe) leaves it alone.
if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'GET') {
    http_response_code(405);
    header('Allow: GET');
    exit;
}

$hash = hash('sha256', $token);
$ticket = BERTH_TICKET_DIR . "/{$hash}.json";
$claimed = BERTH_TICKET_DIR . "/.claimed-{$hash}-" . bin2hex(random_bytes(8));
// rename() is atomic: of concurrent requests for the same ticket only one moves it, the others find nothing.
if (!@rename($ticket, $claimed)) {
    berth_refuse();
}
$text = @file_get_contents($claimed, false, null, 0, BERTH_MAX_TICKET_BYTES + 1);
@unlink($claimed);
if (!is_string($text) || strlen($text) > BERTH_MAX_TICKET_BYTES) {
    berth_refuse();
}
try {
    $t = json_decode($text, true, 4, JSON_THROW_ON_ERROR);
} catch (JsonException) {
    berth_refuse();
}
unset($text);

$engine = is_array($t) ? ($t['engine'] ?? null) : null;
$user = is_array($t) ? ($t['user'] ?? null) : null;
$password = is_array($t) ? ($t['password'] ?? null) : null;
$database = is_array($t) ? ($t['database'] ?? '') : '';
$expiresAt = is_array($t) ? ($t['expiresAt'] ?? null) : null;
unset($t);
$tool = $engine === 'postgresql' ? 'Adminer' : 'phpMyAdmin';
if (
    !in_array($engine, ['mariadb', 'postgresql'], true)
    || !is_string($user) || preg_match(BERTH_NAME_RE, $user) !== 1
    || !is_string($password) || $password === '' || str_contains($password, "\0")
    || !is_string($database) || ($database !== '' && preg_match(BERTH_NAME_RE, $database) !== 1)
    || !is_int($expiresAt)
) {
    berth_refuse($tool);
}
if ($expiresAt <= time()) {
    berth_refuse($tool);
}

if ($engine === 'mariadb') {
    // phpMyAdmin's signon server (2) reads these keys from the BerthSignon session on every request.
    berth_start_session('phpmyadmin', 'BerthSignon', '/', $berthHttps);
    $_SESSION['PMA_single_signon_user'] = $user;
    $_SESSION['PMA_single_signon_password'] = $password;
    session_write_close();
    $target = $database === ''
        ? '/phpmyadmin/index.php?route=/&server=2'
        : '/phpmyadmin/index.php?route=/database/structure&server=2&db=' . rawurlencode($database);
} else {
    // Adminer's own session, laid out as its login form leaves it (driver pgsql, server '' = the local socket,
    // see the wrapper), under its cookie name and path, so Adminer finds the user signed in.
    if ($database === '') {
        // pg_hba lets a role into the database named like a role it belongs to only: there is nothing to open.
        berth_refuse($tool);
    }
    berth_start_session('adminer', 'adminer_sid', '/adminer/', $berthHttps);
    $_SESSION['pwds']['pgsql'][''][$user] = $password;
    $_SESSION['db']['pgsql'][''][$user][$database] = true;
    session_write_close();
    $target = '/adminer/?pgsql=&username=' . rawurlencode($user) . '&db=' . rawurlencode($database);
}
unset($password);

http_response_code(302);
header('Location: ' . $target);
