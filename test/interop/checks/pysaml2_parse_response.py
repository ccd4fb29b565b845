#!/usr/bin/python3
"""Parse a SAML Response with pysaml2 (Debian's python3-pysaml2), acting as the SP it was addressed to.

  /usr/bin/python3 pysaml2_parse_response.py RESPONSE.xml IDP-METADATA.xml SP-ENTITY-ID ACS-URL SP-KEY SP-CERT

pysaml2 trusts only IDP-METADATA.xml (the broker's published IdP metadata) and checks, as an SP does:
Destination and Recipient = ACS-URL, Audience = SP-ENTITY-ID, the Issuer is the entity in the metadata, the
assertion signature against the metadata's signing certificate (xmlsec1, --enabled-key-data raw-x509-cert),
NotBefore/NotOnOrAfter, and InResponseTo (the outstanding request is the one the Response names). An
EncryptedAssertion is decrypted with SP-KEY. Prints one JSON object; exits 1 with REJECTED on stderr.
"""
import base64
import json
import re
import sys

from saml2 import BINDING_HTTP_POST
from saml2.client import Saml2Client
from saml2.config import SPConfig

response_path, idp_metadata, sp_entity_id, acs_url, sp_key, sp_cert = sys.argv[1:7]
raw = open(response_path, 'rb').read()
in_response_to = re.search(rb'<(?:\w+:)?Response\b[^>]*\bInResponseTo="([^"]+)"', raw).group(1).decode()
was_encrypted = b'EncryptedAssertion' in raw

config = SPConfig()
config.load({
    'entityid': sp_entity_id,
    'xmlsec_binary': '/usr/bin/xmlsec1',
    'metadata': {'local': [idp_metadata]},
    'key_file': sp_key,
    'cert_file': sp_cert,
    'encryption_keypairs': [{'key_file': sp_key, 'cert_file': sp_cert}],
    'allow_unknown_attributes': True,
    'accepted_time_diff': 60,
    'service': {'sp': {
        'endpoints': {'assertion_consumer_service': [(acs_url, BINDING_HTTP_POST)]},
        'want_response_signed': False,     # OIOSAML 3: the assertion is signed, the Response need not be
        'want_assertions_signed': True,
        'allow_unsolicited': False,
    }},
})
client = Saml2Client(config)
try:
    response = client.parse_authn_request_response(base64.b64encode(raw).decode(), BINDING_HTTP_POST,
                                                   outstanding={in_response_to: '/'})
except Exception as error:  # pysaml2 signals every rejection with an exception
    sys.exit(f'REJECTED by pysaml2: {type(error).__name__}: {error}')
if response is None:
    sys.exit('REJECTED by pysaml2: no response parsed')

assertion = response.assertion
attributes = []
for statement in assertion.attribute_statement:
    for attribute in statement.attribute:
        attributes.append({
            'name': attribute.name,
            'nameFormat': attribute.name_format,
            'values': [value.text for value in attribute.attribute_value],
        })
print(json.dumps({
    'issuer': response.issuer(),
    'inResponseTo': response.in_response_to,
    'destination': response.response.destination,
    'nameId': response.name_id.text,
    'nameIdFormat': response.name_id.format,
    'audiences': [a.text for r in assertion.conditions.audience_restriction for a in r.audience],
    'authnContextClassRefs': [info[0] for info in response.authn_info()],
    'authenticatingAuthorities': [a for info in response.authn_info() for a in info[1]],
    'assertionSigned': assertion.signature is not None,
    'responseSigned': response.response.signature is not None,
    'assertionWasEncrypted': was_encrypted,
    'attributes': attributes,
}))
