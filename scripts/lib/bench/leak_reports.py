"""Times signed leaked-token reports (README, "Leaked tokens") against a real `patgate serve`.

    PATGATE_BIN=.build/release/patgate python3 scripts/lib/bench/leak_reports.py [--live 200]

Acts as GitHub's scanner with a P-256 key it makes, and prints the median wall time of `GET /healthz`
(the same server's floor, for scale), a refused
report (bad signature: only the verify runs), a report of one unknown PAT, of 1,000 unknown
well-formed PATs (1,000 store lookups), and of `--live` live PATs (each revoked and audited).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "Tests" / "e2e"))

from patgate_e2e import Patgate, well_formed_unknown_pat  # noqa: E402
from test_leaks import GITHUB, GITHUB_KEY_ID, STRANGER  # noqa: E402


def timed(server: Patgate, body: bytes, headers: dict, expect: int, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = server.post("/leaks/github", data=body, headers=headers, timeout=120)
        times.append(time.perf_counter() - start)
        assert response.status_code == expect, response.text
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--live", type=int, default=200, help="live PATs in the revoking report")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        server = Patgate(Path(workdir)).bootstrap()
        (server.data_dir / "secrets" / "github-keys.json").write_text(json.dumps(
            {"public_keys": [{"key_identifier": GITHUB_KEY_ID, "key": GITHUB.public_pem, "is_current": True}]}))
        with open(server.config_path, "a") as config:
            config.write("\nleaks:\n  github:\n    public_keys_file: secrets/github-keys.json\n")
        server.start(env={"PATGATE_USERS_BCRYPT_COST": "4"})
        try:
            one = GITHUB.body([well_formed_unknown_pat()])
            many = GITHUB.body([well_formed_unknown_pat() for _ in range(1000)])
            healthz = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                assert server.get("/healthz").status_code == 200
                healthz.append(time.perf_counter() - start)
            rows = [
                ("GET /healthz", statistics.median(healthz) * 1000),
                ("refused (bad signature)", timed(server, one, STRANGER.headers(one), 401, args.rounds)),
                ("1 unknown PAT", timed(server, one, GITHUB.headers(one), 200, args.rounds)),
                ("1,000 unknown PATs", timed(server, many, GITHUB.headers(many), 200, args.rounds)),
            ]
            live = [server.create_pat(user="bench")["token"] for _ in range(args.live)]
            body = GITHUB.body(live)
            rows.append((f"{args.live} live PATs (revoked)", timed(server, body, GITHUB.headers(body), 200, 1)))
            rows.append((f"the same {args.live} again", timed(server, body, GITHUB.headers(body), 200, args.rounds)))
        finally:
            server.stop()
    width = max(len(name) for name, _ in rows)
    for name, ms in rows:
        print(f"{name:<{width}}  {ms:8.1f} ms")


if __name__ == "__main__":
    main()
