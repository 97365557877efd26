"""`moto_server` for the S3 credential tests, with one change: `AssumeRoleWithWebIdentity` is
served without a request signature, as AWS, MinIO and Ceph serve it (the web identity token is
the caller's credential). moto otherwise authenticates every request once IAM authentication is
switched on (POST /moto-api/reset-auth), which the tests do so that S3 checks the access key,
the signature and the session token of the temporary credentials.

Usage: python3 moto_sts_server.py -H 127.0.0.1 -p PORT
"""

from __future__ import annotations

import sys

from moto.core.authorization import ActionAuthenticatorMixin
from moto.server import main

_authenticate = ActionAuthenticatorMixin._authenticate_and_authorize_action


def _authenticate_unless_web_identity(self, iam_request_cls, resource="*"):
    if self._get_action() == "AssumeRoleWithWebIdentity":
        return None
    return _authenticate(self, iam_request_cls, resource)


ActionAuthenticatorMixin._authenticate_and_authorize_action = _authenticate_unless_web_identity

if __name__ == "__main__":
    main(sys.argv[1:])
