<?php
// The fagsystem's protected page: dumps what mod_shib handed the application (attributes arrive as server
// variables named by the attribute-map ids, not as HTTP headers). One "name=value" per line.
header('Content-Type: text/plain; charset=utf-8');
echo "REMOTE_USER=" . ($_SERVER['REMOTE_USER'] ?? '') . "\n";
ksort($_SERVER);
foreach ($_SERVER as $k => $v) {
    if (is_string($v) && preg_match('/^(oio-|dk-|Shib-|persistent-id|x509-subject-name|AUTH_TYPE)/', $k)) echo "$k=$v\n";
}
