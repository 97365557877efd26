"""Constants shared by the idpyoidc peer app (idpy_peer.py) and its driver (peer.py)."""

CLIENT_ID = "bench"
CLIENT_SECRET = "bench-secret-0123456789"
GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
TYPE_ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"
