<?php
// The hosted IdP: signs Response and Assertion (rsa-sha256); encrypts the assertion to every SP, because the
// broker registers it with requireEncryptedAssertion (SimpleSAMLphp 1.19 always uses aes128-cbc with
// rsa-oaep-mgf1p and ignores the EncryptionMethods in the SP's metadata); releases URI-named attributes;
// sends the X509SubjectName NameID municipal IdPs send to the Context Handler (the broker's metadata lists
// that format first, and the broker's NameIDPolicy says "unspecified"), and the NSIS level as
// AuthnContextClassRef (it must agree with the loa attribute). Single Logout: HTTP-Redirect, LogoutRequests
// must be signed (validate.logout; SimpleSAMLphp checks nothing by default) and its LogoutResponses are signed
// (sign.logout), as the broker requires.
$metadata['{{ENTITY_ID}}'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'kommune-users',
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
    'saml20.sign.assertion' => true,
    'saml20.sign.response' => true,
    'assertion.encryption' => true,
    'NameIDFormat' => [
        'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName',
        'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    ],
    'validate.logout' => true,
    'sign.logout' => true,
    'SingleLogoutServiceBinding' => ['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'],
    'SingleSignOnServiceBinding' => [
        'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
        'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
    ],
    'authproc' => [
        10 => ['class' => 'saml:AttributeNameID', 'attribute' => 'x509SubjectName',
               'Format' => 'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName'],
        11 => ['class' => 'saml:PersistentNameID', 'attribute' => 'uid'],
        20 => ['class' => 'saml:AuthnContextClassRef', 'AuthnContextClassRef' => 'https://data.gov.dk/concept/core/nsis/loa/Substantial'],
        90 => ['class' => 'core:AttributeLimit',
               'https://data.gov.dk/model/core/specVersion',
               'https://data.gov.dk/model/core/kombitSpecVer',
               'https://data.gov.dk/concept/core/nsis/loa',
               'https://data.gov.dk/model/core/eid/professional/cvr',
               'https://data.gov.dk/model/core/eid/professional/orgName',
               'https://data.gov.dk/model/core/eid/professional/uuid/persistent',
               'https://data.gov.dk/model/core/eid/email',
               'https://data.gov.dk/model/core/eid/privilegesIntermediate'],
    ],
];
