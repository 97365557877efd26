"""Runs the Swift microbenchmark harness (patgate-bench) and `openssl speed` in the same run."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path


def openssl_ecdsap256_sign_per_s(seconds: int) -> float:
    """Single-core ECDSA P-256 signatures per second, as `openssl speed` prints them."""
    done = subprocess.run(["openssl", "speed", "-seconds", str(seconds), "ecdsap256"],
                          capture_output=True, text=True, check=True)
    for line in done.stdout.splitlines():
        match = re.match(r"\s*256 bits ecdsa \(nistp256\)\s+([\d.]+)s\s+([\d.]+)s\s+([\d.]+)\s+([\d.]+)", line)
        if match:
            return float(match.group(3))
    raise SystemExit(f"bench: cannot read openssl speed's output:\n{done.stdout}")


# The last keeps every upstream claim: what that would cost, reported beside the 256 B target,
# which holds for the claims the server keeps (`policy.copy_claims`).
ALL_CLAIMS_SHAPE = "every PAT a different owner, all claims kept"
SHAPES = ("1,000 owners", "every PAT a different owner", ALL_CLAIMS_SHAPE)


def run(binary: Path, quick: bool) -> dict:
    seconds = 1 if quick else 3
    done = subprocess.run([str(binary), "--seconds", str(seconds), "--cache-entries", "0"],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    # One process per cache shape: memory freed by one shape would hide part of the next one's growth.
    entries = "20000" if quick else "1000000"
    for shape in SHAPES:
        done = subprocess.run([str(binary), "--only", "none", "--cache-entries", entries, "--cache-shape", shape],
                              capture_output=True, text=True, check=True)
        result["cache_memory"] += json.loads(done.stdout)["cache_memory"]
    openssl = openssl_ecdsap256_sign_per_s(seconds)
    result["openssl_ecdsap256_sign_per_s"] = openssl
    es256 = next((i for i in result["items"] if i["name"] == "sign ES256 (JWS)"), None)
    if es256:
        result["es256_ratio"] = es256["ops_per_second"] / openssl
    return result
