<?php
/**
 * Berth: Adminer for this installation's PostgreSQL server and nothing else. Adminer's stock login lets the
 * browser pick a database system and a server (`host:port`), which would make this container connect wherever
 * a visitor says (an SSRF hole into the host's network). Here:
 *   - a request naming any other driver (`?server=`, `?sqlite=`, …), a non-empty `?pgsql=` server, or a login
 *     form with another driver or a server is refused before Adminer runs: no connection is attempted;
 *   - the connection always goes to the socket dir /run/postgresql whatever the request says (credentials());
 *   - the login form asks for user, password and database only; there is no permanent login.
 * /sso/<token> (sso.php) signs a browser in by writing the same session entries Adminer's login form leaves.
 */

const BERTH_PG_SOCKET_DIR = '/run/postgresql';
/** Adminer's driver parameters (core and plugin drivers): only `pgsql` with an empty server may appear. */
const BERTH_OTHER_DRIVERS = ['server', 'sqlite', 'sqlite2', 'oracle', 'mssql', 'firebird', 'simpledb', 'mongo', 'elastic', 'clickhouse'];
const BERTH_ONLY_LOCAL = "Adminer here opens only this installation's PostgreSQL server: another server or database system cannot be chosen.";

/** berth_adminer_refuse answers 403 with a plain sentence and ends the request. */
function berth_adminer_refuse(string $sentence): never
{
    http_response_code(403);
    header('Content-Type: text/html; charset=utf-8');
    header('Cache-Control: no-store');
    $s = htmlspecialchars($sentence, ENT_QUOTES | ENT_HTML5, 'UTF-8');
    echo "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not allowed</title>",
        '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}</style>',
        "</head><body><h1>Not allowed</h1><p>{$s}</p><p><a href=\"/adminer/\">Back to the login</a></p></body></html>\n";
    exit;
}

foreach (BERTH_OTHER_DRIVERS as $berthDriver) {
    if (isset($_GET[$berthDriver])) {
        berth_adminer_refuse(BERTH_ONLY_LOCAL);
    }
}
if (isset($_GET['pgsql']) && $_GET['pgsql'] !== '') {
    berth_adminer_refuse(BERTH_ONLY_LOCAL);
}
// A user name without `pgsql` would select Adminer's default driver (MySQL).
if (isset($_GET['username']) && !isset($_GET['pgsql'])) {
    berth_adminer_refuse(BERTH_ONLY_LOCAL);
}
if (isset($_POST['auth'])) {
    $berthAuth = $_POST['auth'];
    if (!is_array($berthAuth) || ($berthAuth['driver'] ?? null) !== 'pgsql' || ($berthAuth['server'] ?? '') !== '') {
        berth_adminer_refuse(BERTH_ONLY_LOCAL);
    }
    if (!is_string($berthAuth['db'] ?? null) || $berthAuth['db'] === '') {
        berth_adminer_refuse('Enter the database as well: a PostgreSQL user here can open only its own database.');
    }
    unset($_POST['auth']['permanent'], $berthAuth);
}
// Adminer stores whatever a visitor posts to ?script=version (its update check, which stays off here).
if (($_GET['script'] ?? null) === 'version') {
    berth_adminer_refuse(BERTH_ONLY_LOCAL);
}
unset($_COOKIE['adminer_permanent'], $_SERVER['HTTP_X_FORWARDED_PREFIX']);

function adminer_object()
{
    class BerthAdminer extends Adminer
    {
        function name()
        {
            return "<a href='/adminer/' id='h1'>Adminer</a>";
        }

        /** The local socket dir, whatever the request said (the checks above refused any other server). */
        function credentials()
        {
            if (DRIVER !== 'pgsql' || SERVER !== '') {
                berth_adminer_refuse(BERTH_ONLY_LOCAL);
            }
            return [BERTH_PG_SOCKET_DIR, $_GET['username'], get_password()];
        }

        function serverName($server)
        {
            return 'PostgreSQL';
        }

        /** No permanent login: a login lasts as long as its session. */
        function permanentLogin($create = false)
        {
            return false;
        }

        /** The visitor's address as the edge saw it (every request comes through the edge, from one address). */
        function bruteForceKey()
        {
            $forwarded = trim((string) ($_SERVER['HTTP_X_FORWARDED_FOR'] ?? ''));
            if ($forwarded !== '') {
                $parts = explode(',', $forwarded);
                return trim((string) end($parts));
            }
            return $_SERVER['REMOTE_ADDR'];
        }

        /**
         * The database a connection opens: the selected one, else the one the user signed in to. pg_hba admits a
         * tenant's role only to a database named like a role it belongs to, so Adminer's default (`postgres`)
         * would fail where the database list should appear.
         */
        function database()
        {
            if (DB != '') {
                return DB;
            }
            $signedIn = $_SESSION['db']['pgsql'][''][$_GET['username'] ?? ''] ?? [];
            foreach (array_keys(is_array($signedIn) ? $signedIn : []) as $db) {
                if ($db !== '') {
                    return (string) $db;
                }
            }
            return DB;
        }

        /** The databases this user can open: named like a role it belongs to (pg_hba's samerole) and CONNECT. */
        function databases($flush = true)
        {
            return get_vals(
                'SELECT d.datname FROM pg_database d JOIN pg_roles r ON r.rolname = d.datname'
                . " WHERE NOT d.datistemplate AND pg_has_role(r.oid, 'MEMBER') AND has_database_privilege(d.oid, 'CONNECT')"
                . ' ORDER BY d.datname'
            );
        }

        function loginForm()
        {
            $h = static fn ($s) => htmlspecialchars((string) $s, ENT_QUOTES, 'UTF-8');
            echo "<table cellspacing='0' class='layout'>\n",
                "<tr><th>" . lang('System') . "<td>PostgreSQL (this server)\n",
                "<input type='hidden' name='auth[driver]' value='pgsql'><input type='hidden' name='auth[server]' value=''>\n",
                "<tr><th>" . lang('Username') . "<td><input name='auth[username]' id='username' value='" . $h($_GET['username'] ?? '') . "' autocomplete='username' autocapitalize='off' required>\n",
                "<tr><th>" . lang('Password') . "<td><input type='password' name='auth[password]' autocomplete='current-password' required>\n",
                "<tr><th>" . lang('Database') . "<td><input name='auth[db]' value='" . $h($_GET['db'] ?? '') . "' autocapitalize='off' required>\n",
                "</table>\n",
                "<p><input type='submit' value='" . lang('Login') . "'>\n";
        }
    }

    return new BerthAdminer();
}

include '/usr/share/adminer/adminer.php';
