<?php
/**
 * Berth's WordPress installer. The runtime (packages/runtime/src/operations/wordpress.ts) runs it once per
 * installation in a one-shot container of berth/wordpress: as the tenant's uid, no network, the tenant's
 * sites/ at /srv/sites and the MariaDB socket at /run/mysqld.
 *
 *   php wp-install.php install  <site> <document root>   < request.json
 *   php wp-install.php rollback <site> <document root>   < request.json
 *
 * Secrets (database and admin passwords, the wp-config.php text) come only on stdin, never as arguments or
 * environment. The request: {"scaffold": {"sha256", "text"}, "wpConfig", "db": {"name", "user", "password",
 * "prefix"}, "site": {"url", "title"}, "admin": {"user", "password", "email"}} (rollback needs scaffold and db).
 *
 * install: refuses, changing nothing, unless the document root is empty or holds only Berth's untouched default
 * index.php (its sha256 in the request) and the database holds no table with the prefix; then writes the marker
 * `.berth-wp-install` (what to undo), copies /opt/wordpress, writes wp-config.php (0600), runs wp_install()
 * (public blog, the given admin), sets the permalinks to /%postname%/ and removes the marker. A marker left by
 * an interrupted run is rolled back first.
 * rollback: with a marker, drops the tables with the prefix, removes what install copied and wrote, puts the
 * default page back if it was there, and removes the marker; without one, does nothing.
 *
 * Output: progress as `BERTH-EVENT <json>` lines, and one `BERTH-RESULT <json>` line at the end:
 * {"ok":true,"version":"6.1.9"} or {"ok":false,"phase":"precheck"|"install","reason","message"}. Exit 0 on
 * success, 2 on a refusal (nothing changed), 1 on a failure after changes began (the runtime then rolls back).
 */

declare(strict_types=1);

const SOURCE = '/opt/wordpress';
const SITES = '/srv/sites';
const MARKER = '.berth-wp-install';
/** Where install keeps Berth's default index.php until WordPress is installed (rollback puts it back as it was). */
const KEPT_INDEX = '.berth-wp-install.index.php';
const SOCKET = '/run/mysqld/mysqld.sock';
const PERMALINKS = '/%postname%/';

/** Refusal is a precheck that failed: nothing was changed. */
final class Refusal extends RuntimeException
{
    public function __construct(public readonly string $reason, string $message)
    {
        parent::__construct($message);
    }
}

$GLOBALS['berth_result_sent'] = false;

function emit(string $kind, array $data): void
{
    fwrite(STDOUT, 'BERTH-' . $kind . ' ' . json_encode($data, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE) . "\n");
    fflush(STDOUT);
}

function result(array $data, int $code): never
{
    $GLOBALS['berth_result_sent'] = true;
    emit('RESULT', $data);
    exit($code);
}

// A fatal error (memory, a broken file) skips every catch: report it as the result all the same.
register_shutdown_function(static function (): void {
    if ($GLOBALS['berth_result_sent']) return;
    $e = error_get_last();
    $what = $e === null ? 'the installer stopped unexpectedly' : $e['message'] . ' in ' . $e['file'] . ':' . $e['line'];
    $GLOBALS['berth_result_sent'] = true;
    emit('RESULT', ['ok' => false, 'phase' => 'install', 'reason' => 'install-failed', 'message' => $what]);
});

function str_field(array $a, string $key): string
{
    if (!isset($a[$key]) || !is_string($a[$key])) throw new Refusal('invalid-request', "The request lacks \"$key\".");
    return $a[$key];
}

/** readRequest parses the JSON request from stdin. */
function readRequest(): array
{
    $raw = stream_get_contents(STDIN);
    try {
        $req = json_decode((string) $raw, true, 8, JSON_THROW_ON_ERROR);
    } catch (JsonException $e) {
        throw new Refusal('invalid-request', 'The request on stdin is not JSON: ' . $e->getMessage());
    }
    if (!is_array($req)) throw new Refusal('invalid-request', 'The request on stdin must be a JSON object.');
    return $req;
}

/** docroot resolves /srv/sites/<site>/<document root>: plain names only, and never through a link. */
function docroot(string $site, string $rel, bool $create): array
{
    if (!preg_match('/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/', $site)) throw new Refusal('invalid-request', 'Invalid site id.');
    $segments = $rel === '' ? [] : explode('/', $rel);
    foreach ($segments as $seg) {
        if (!preg_match('/^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/', $seg)) throw new Refusal('invalid-request', 'Invalid document root.');
    }
    $path = SITES . '/' . $site;
    if (is_link($path) || !is_dir($path)) {
        throw new Refusal('site-missing', "The site's folder $site/ does not exist or is not a folder.");
    }
    $created = false;
    foreach ($segments as $seg) {
        $path .= '/' . $seg;
        if (is_link($path)) throw new Refusal('site-not-empty', "The document root $rel/ is a symbolic link; make it a plain folder.");
        if (!file_exists($path)) {
            if (!$create) return [$path, false, false];
            if (!mkdir($path, 0755)) throw new Refusal('site-missing', "Cannot create the document root $rel/.");
            $created = true;
        } elseif (!is_dir($path)) {
            throw new Refusal('site-not-empty', "The document root $rel/ is a file, not a folder.");
        }
    }
    return [$path, true, $created];
}

/** entries lists a directory's names (hidden ones too). */
function entries(string $dir): array
{
    $names = scandir($dir);
    if ($names === false) throw new RuntimeException("Cannot read $dir.");
    return array_values(array_diff($names, ['.', '..']));
}

/** sourceNames are the top-level names install copies (and rollback removes). */
function sourceNames(): array
{
    return array_values(array_diff(entries(SOURCE), ['.berth-version']));
}

/** removeTree deletes a file or a folder with its contents, never following a link. */
function removeTree(string $path): void
{
    if (is_link($path) || is_file($path)) {
        if (!unlink($path)) throw new RuntimeException("Cannot remove $path.");
        return;
    }
    if (!is_dir($path)) return;
    foreach (entries($path) as $name) removeTree($path . '/' . $name);
    if (!rmdir($path)) throw new RuntimeException("Cannot remove $path.");
}

/** connect logs in to the tenant's database through the socket, as the tenant's user. */
function connect(array $db): mysqli
{
    mysqli_report(MYSQLI_REPORT_OFF);
    $m = mysqli_init();
    $ok = @$m->real_connect('localhost', str_field($db, 'user'), str_field($db, 'password'), str_field($db, 'name'), 0, SOCKET);
    if (!$ok) {
        $errno = $m->connect_errno;
        $reason = in_array($errno, [2002, 2006, 2013], true) ? 'database-unreachable' : 'database-login';
        throw new Refusal($reason, "WordPress cannot log in to database {$db['name']} as {$db['user']}: " . $m->connect_error . " (error $errno).");
    }
    $m->set_charset('utf8mb4');
    return $m;
}

function prefixTables(mysqli $m, string $prefix): array
{
    $like = $m->real_escape_string(addcslashes($prefix, '\\_%'));
    $res = $m->query("SHOW TABLES LIKE '$like%'");
    if ($res === false) throw new RuntimeException('Cannot list the tables: ' . $m->error);
    $names = array_map(static fn (array $r): string => (string) $r[0], $res->fetch_all(MYSQLI_NUM));
    $res->free();
    return $names;
}

function assertPrefix(string $prefix): string
{
    if (!preg_match('/^[A-Za-z0-9_]{1,32}$/', $prefix)) throw new Refusal('invalid-request', 'Invalid table prefix.');
    return $prefix;
}

/**
 * rollback undoes an install whose marker is in $root: its tables, its files, the default page. The marker's
 * own record decides (a fresh rollback container has nothing else to go by).
 */
function rollback(array $req, string $root): bool
{
    $marker = $root . '/' . MARKER;
    if (is_link($marker) || !is_file($marker)) return false;
    $state = json_decode((string) file_get_contents($marker), true);
    $state = is_array($state) ? $state : [];
    $db = is_array($req['db'] ?? null) ? $req['db'] : [];
    // Tables: only those with the prefix in the database the marker names (the precheck found none of them).
    $tablesError = null;
    if (($state['db'] ?? null) === ($db['name'] ?? false) && is_string($state['prefix'] ?? null)) {
        try {
            $m = connect($db);
            $m->query('SET FOREIGN_KEY_CHECKS = 0');
            foreach (prefixTables($m, assertPrefix($state['prefix'])) as $table) {
                if (!$m->query('DROP TABLE `' . str_replace('`', '``', $table) . '`')) {
                    throw new RuntimeException("Cannot drop table $table: " . $m->error);
                }
            }
            $m->close();
        } catch (Throwable $e) {
            // The files are put back all the same; a later install then refuses the database by name.
            $tablesError = $e->getMessage();
        }
    }
    foreach ([...sourceNames(), 'wp-config.php'] as $name) removeTree($root . '/' . $name);
    $kept = $root . '/' . KEPT_INDEX;
    if (($state['scaffold'] ?? false) === true) {
        $index = $root . '/index.php';
        if (!is_link($kept) && is_file($kept)) {
            if (!rename($kept, $index)) throw new RuntimeException('Cannot restore the default index.php.');
        } else {
            $scaffold = is_array($req['scaffold'] ?? null) ? str_field($req['scaffold'], 'text') : '';
            if (file_put_contents($index, $scaffold) !== strlen($scaffold) || !chmod($index, 0644)) {
                throw new RuntimeException('Cannot restore the default index.php.');
            }
        }
    }
    if (file_exists($kept) || is_link($kept)) removeTree($kept);
    if (!unlink($marker)) throw new RuntimeException('Cannot remove the installation marker.');
    if (($state['createdDocroot'] ?? false) === true && entries($root) === []) rmdir($root);
    if ($tablesError !== null) throw new RuntimeException("The site's files were restored, but not its database: $tablesError");
    return true;
}

/** precheck refuses unless the document root is empty or holds only the untouched default page; true if it does. */
function precheck(string $root, array $scaffold): bool
{
    $names = entries($root);
    if ($names === []) return false;
    $index = $root . '/index.php';
    if ($names === ['index.php'] && !is_link($index) && is_file($index)
        && hash_file('sha256', $index) === str_field($scaffold, 'sha256')) {
        return true;
    }
    sort($names);
    $shown = implode(', ', array_slice($names, 0, 5)) . (count($names) > 5 ? ', …' : '');
    throw new Refusal('site-not-empty', 'The document root is not empty (it holds ' . count($names) . " files or folders: $shown).");
}

/** copyTree copies /opt/wordpress's entries into the document root as the tenant (0644 files, 0755 folders). */
function copyTree(string $root): void
{
    $sources = array_map(static fn (string $n): string => SOURCE . '/' . $n, sourceNames());
    $proc = proc_open(['cp', '-R', '--', ...$sources, $root . '/'], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    if (!is_resource($proc)) throw new RuntimeException('Cannot run cp.');
    $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    $code = proc_close($proc);
    if ($code !== 0) throw new RuntimeException("Copying WordPress failed (cp exit $code): " . trim($out));
}

function writeConfig(string $root, string $text): void
{
    if (str_contains($text, "\0") || !str_starts_with($text, '<?php')) throw new RuntimeException('Invalid wp-config.php text.');
    $path = $root . '/wp-config.php';
    $fh = fopen($path, 'x');
    if ($fh === false) throw new RuntimeException('Cannot create wp-config.php.');
    // Readable by the tenant's own uid only (PHP-FPM runs as it); never by the webserver or other tenants.
    chmod($path, 0600);
    $ok = fwrite($fh, $text) === strlen($text);
    if (!fclose($fh) || !$ok) throw new RuntimeException('Cannot write wp-config.php.');
}

// Pluggable: the installer's container has no mail; the panel tells the user itself.
function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password): void
{
}

/**
 * prepareLoad sets what WordPress reads from a web request, and blocks HTTP: the installer's container has no
 * network, so WordPress's pretty-permalink probe and update checks fail at once instead of after a timeout.
 */
function prepareLoad(array $req): void
{
    $url = str_field($req['site'], 'url');
    $parts = parse_url($url);
    $https = ($parts['scheme'] ?? '') === 'https';
    $host = (string) ($parts['host'] ?? 'localhost');
    $port = isset($parts['port']) ? (string) $parts['port'] : ($https ? '443' : '80');
    $_SERVER['SERVER_NAME'] = $host;
    // With the edge on another port than the scheme's own, the address visitors use carries it.
    $_SERVER['HTTP_HOST'] = isset($parts['port']) ? "{$host}:{$port}" : $host;
    $_SERVER['SERVER_PORT'] = $port;
    $_SERVER['REQUEST_URI'] = '/wp-admin/install.php';
    $_SERVER['REQUEST_METHOD'] = 'GET';
    if ($https) $_SERVER['HTTPS'] = 'on';
    $GLOBALS['wp_filter'] = ['pre_http_request' => [1 => [[
        'function' => static fn () => new WP_Error('berth_offline', 'No network while installing.'),
        'accepted_args' => 1,
    ]]]];
}

/** installBlog runs wp_install() on the loaded WordPress and sets the permalinks; returns WordPress's version. */
function installBlog(array $req): string
{
    global $wp_version, $wp_rewrite;
    $admin = $req['admin'];
    $user = str_field($admin, 'user');
    $password = str_field($admin, 'password');
    $email = str_field($admin, 'email');
    if (sanitize_user($user, true) !== $user) throw new Refusal('invalid-request', 'The admin user name has characters WordPress does not allow.');
    if (!is_email($email)) throw new Refusal('invalid-request', 'The admin email address is not valid for WordPress.');
    if (is_blog_installed()) throw new Refusal('database-not-empty', 'The database already holds a WordPress installation.');

    emit('EVENT', ['step' => 'wp_install']);
    // WordPress hashes and checks passwords in their slashed form (wp-login.php's $_POST is slashed, and
    // wp_signon() does not unslash the password): wp_install() takes it slashed, as its web form passes it.
    wp_install(str_field($req['site'], 'title'), $user, $email, true, '', wp_slash($password));
    $account = get_user_by('login', $user);
    if (!$account || !wp_check_password(wp_slash($password), $account->user_pass, $account->ID) || !user_can($account, 'manage_options')) {
        global $wpdb;
        throw new RuntimeException('wp_install() did not create the administrator' . ($wpdb->last_error !== '' ? ': ' . $wpdb->last_error : '.'));
    }
    // Both of Berth's webservers send every unknown path to index.php (nginx try_files, Apache FallbackResource).
    $wp_rewrite->set_permalink_structure(PERMALINKS);
    $wp_rewrite->flush_rules(false);
    if (get_option('permalink_structure') !== PERMALINKS) throw new RuntimeException('The permalink structure was not saved.');
    return (string) $wp_version;
}

// Top-level code on purpose: WordPress must be loaded in the global scope (wp-config.php and wp-settings.php
// set globals such as $table_prefix and $wpdb by plain assignment).
$mode = $argv[1] ?? '';
$site = $argv[2] ?? '';
$rel = $argv[3] ?? '';
$changed = false;
try {
    if ($mode !== 'install' && $mode !== 'rollback') throw new Refusal('invalid-request', 'Usage: wp-install.php install|rollback <site> <document root>');
    $req = readRequest();
    if ($mode === 'rollback') {
        [$root, $exists] = docroot($site, $rel, false);
        $done = $exists && rollback($req, $root);
        result(['ok' => true, 'rolledBack' => $done], 0);
    }
    $db = is_array($req['db'] ?? null) ? $req['db'] : throw new Refusal('invalid-request', 'The request lacks "db".');
    $prefix = assertPrefix(str_field($db, 'prefix'));
    $scaffold = is_array($req['scaffold'] ?? null) ? $req['scaffold'] : throw new Refusal('invalid-request', 'The request lacks "scaffold".');
    $config = str_field($req, 'wpConfig');
    if (!is_array($req['site'] ?? null) || !is_array($req['admin'] ?? null)) throw new Refusal('invalid-request', 'The request lacks "site" or "admin".');

    [$root, , $createdDocroot] = docroot($site, $rel, true);
    if (rollback($req, $root)) emit('EVENT', ['step' => 'rolled-back-interrupted-install']);
    $hadScaffold = precheck($root, $scaffold);
    $m = connect($db);
    $tables = prefixTables($m, $prefix);
    $m->close();
    if ($tables !== []) {
        throw new Refusal('database-not-empty', "Database {$db['name']} already holds " . count($tables) . " tables starting with $prefix.");
    }

    umask(022);
    $marker = json_encode(['scaffold' => $hadScaffold, 'createdDocroot' => $createdDocroot, 'db' => $db['name'], 'prefix' => $prefix]);
    if (file_put_contents($root . '/' . MARKER, $marker, LOCK_EX) === false) throw new RuntimeException('Cannot write the installation marker.');
    $changed = true;
    emit('EVENT', ['step' => 'copy', 'scaffold' => $hadScaffold]);
    if ($hadScaffold && !rename($root . '/index.php', $root . '/' . KEPT_INDEX)) throw new RuntimeException('Cannot set the default index.php aside.');
    copyTree($root);
    writeConfig($root, $config);

    prepareLoad($req);
    define('WP_INSTALLING', true);
    require $root . '/wp-load.php';
    require_once ABSPATH . 'wp-admin/includes/upgrade.php';
    $version = installBlog($req);
    if ($hadScaffold && !unlink($root . '/' . KEPT_INDEX)) throw new RuntimeException('Cannot remove the default index.php.');
    if (!unlink($root . '/' . MARKER)) throw new RuntimeException('Cannot remove the installation marker.');
    result(['ok' => true, 'version' => $version], 0);
} catch (Throwable $e) {
    $refusal = $e instanceof Refusal;
    $message = $e->getMessage() . ($refusal ? '' : ' (' . basename($e->getFile()) . ':' . $e->getLine() . ')');
    if ($mode === 'rollback') result(['ok' => false, 'phase' => 'rollback', 'reason' => 'rollback-failed', 'message' => $message], 1);
    $reason = $refusal ? $e->reason : 'install-failed';
    result(['ok' => false, 'phase' => $changed ? 'install' : 'precheck', 'reason' => $reason, 'message' => $message], $changed ? 1 : 2);
}
