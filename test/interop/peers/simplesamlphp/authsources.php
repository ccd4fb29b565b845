<?php
// The test user of the municipal IdP. Attribute names are the OIOSAML 3 URIs themselves (NameFormat uri is set
// in saml20-idp-hosted.php). {{PRIVILEGES_BASE64}} is base64 OIO-BPP, filled in by the harness.
$config = [
    'admin' => ['core:AdminPassword'],
    'kommune-users' => [
        'exampleauth:UserPass',
        '{{USERNAME}}:{{PASSWORD}}' => [
            'uid' => ['{{USERNAME}}'],
            'x509SubjectName' => ['C=DK,O={{CVR}},CN=Test Testesen,Serial={{USER_UUID}}'],
            'https://data.gov.dk/model/core/specVersion' => ['OIO-SAML-3.0'],
            'https://data.gov.dk/model/core/kombitSpecVer' => ['2.0'],
            'https://data.gov.dk/concept/core/nsis/loa' => ['Substantial'],
            'https://data.gov.dk/model/core/eid/professional/cvr' => ['{{CVR}}'],
            'https://data.gov.dk/model/core/eid/professional/orgName' => ['Name From The IdP'],
            'https://data.gov.dk/model/core/eid/professional/uuid/persistent' => ['urn:uuid:{{USER_UUID}}'],
            'https://data.gov.dk/model/core/eid/email' => ['{{EMAIL}}'],
            'https://data.gov.dk/model/core/eid/privilegesIntermediate' => ['{{PRIVILEGES_BASE64}}'],
        ],
    ],
];
