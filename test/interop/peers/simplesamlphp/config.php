<?php
// SimpleSAMLphp 1.19 as the municipal IdP of the interop suite (selected with SIMPLESAMLPHP_CONFIG_DIR).
// Placeholders in double braces are filled in by test/interop/harness/simplesamlphp.ts.
$config = [
    'baseurlpath' => '{{BASE_URL}}/',
    'application' => ['baseURL' => '{{BASE_URL}}/'],
    'certdir' => '{{DIR}}/cert/',
    'loggingdir' => '{{DIR}}/log/',
    'datadir' => '{{DIR}}/data/',
    'tempdir' => '{{DIR}}/tmp',
    'metadatadir' => '{{DIR}}/metadata/',
    // hosted IdP in metadata/*.php; trusted SPs (the broker) as SAML metadata XML in metadata-xml/, one entity per
    // file, re-read on every request. For XML SPs, AuthnRequestsSigned="true" turns on validate.authnrequest.
    'metadata.sources' => array_merge(
        [['type' => 'flatfile', 'directory' => '{{DIR}}/metadata/']],
        array_map(function ($f) { return ['type' => 'xml', 'file' => $f]; }, glob('{{DIR}}/metadata-xml/*.xml') ?: [])
    ),
    'secretsalt' => '{{SECRET_SALT}}',
    'auth.adminpassword' => '{{ADMIN_PASSWORD}}',
    'admin.protectindexpage' => true,
    'admin.protectmetadata' => false,
    'technicalcontact_name' => 'Interop test',
    'technicalcontact_email' => 'interop@example.invalid',
    'timezone' => 'UTC',
    'debug' => ['saml' => true, 'backtraces' => true, 'validatexml' => false],
    'showerrors' => true,
    'errorreporting' => false,
    'logging.level' => SimpleSAML\Logger::DEBUG,
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'enable.saml20-idp' => true,
    'enable.shib13-idp' => false,
    'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true, 'admin' => true],
    'session.duration' => 3600,
    // plain http on loopback: no Secure flag, and no SameSite=None (which browsers only accept with Secure)
    'session.cookie.name' => 'SSPIdPSessionID',
    'session.cookie.path' => '/',
    'session.cookie.lifetime' => 0,
    'session.cookie.secure' => false,
    'session.cookie.samesite' => null,
    'session.phpsession.cookiename' => 'SSPIdP',
    'session.authtoken.cookiename' => 'SSPIdPAuthToken',
    'store.type' => 'phpsession',
    'language.default' => 'en',
    'theme.use' => 'default',
    'trusted.url.domains' => ['127.0.0.1'],
];
