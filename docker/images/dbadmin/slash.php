<?php
/** Berth: /phpmyadmin and /adminer without the slash: a redirect to the path, so the scheme stays the browser's. */

declare(strict_types=1);

$path = (string) parse_url((string) ($_SERVER['REQUEST_URI'] ?? ''), PHP_URL_PATH);
$target = in_array($path, ['/phpmyadmin', '/adminer'], true) ? "{$path}/" : '/';
header('Location: ' . $target, true, 301);
