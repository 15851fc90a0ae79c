"""Quote benchmark (issue 3).

1. The pure engine: quotes a second over a mix of realistic requests (services, siblings, night
   and holiday care, tiers, groups, the cap).
2. HTTP: ``POST /api/v1/quotes`` under gunicorn against the trivial ``GET /livez`` on the same
   server, driven by ``wrk`` (Debian package) on loopback; the target is a ratio of at least 0.60.
   The quotes are 500 of the same realistic mix, in Korean, English and Kazakh; one heavy quote
   (two children through the night) is measured beside them.

The endpoints are measured in short alternating rounds and compared over all of them: this
shared 2-core machine has slow spells (a plain Python loop varies from 40 to 73 ms from one
second to the next) that would otherwise fall on one endpoint only.

Run: ``make bench-quotes`` (or ``.venv/bin/python bench/quotes.py --seconds 3 --rounds 10``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.clock import SEOUL  # noqa: E402
from vouchers.cost_split import ChildFacts, QuoteRequest, SickRate, quote  # noqa: E402
from vouchers.tariffs import Group, Service, Tier, default_tariff_book  # noqa: E402


def realistic_requests(count: int, seed: int = 1) -> list[QuoteRequest]:
    rng = random.Random(seed)
    requests = []
    while len(requests) < count:
        service = rng.choices(list(Service), weights=(60, 20, 10, 10))[0]
        day = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
        start_hour = rng.choice((7, 9, 13, 15, 18, 20, 21))
        length = (
            rng.choice((4, 5, 6, 8))
            if service != Service.INFANT_FULLDAY
            else rng.choice((6, 8, 10))
        )
        start = datetime(
            day.year, day.month, day.day, start_hour, rng.choice((0, 30)), tzinfo=SEOUL
        )
        end = start + timedelta(minutes=30 * length)
        youngest = 4 if service == Service.INFANT_FULLDAY else 12 * 10
        n = (
            1
            if service == Service.INFANT_FULLDAY
            else rng.choices((1, 2, 3), weights=(70, 25, 5))[0]
        )
        children = tuple(
            ChildFacts(
                birth_date=day - timedelta(days=30 * rng.randint(4, youngest) + rng.randint(0, 20))
            )
            for _ in range(n)
        )
        tier = rng.choice(list(Tier))
        groups = frozenset(rng.sample(list(Group), k=rng.choice((0, 0, 1, 2))))
        sick_rate = (
            SickRate.NORMAL if service == Service.SICK and tier == Tier.GA else SickRate.FLAT
        )
        request = QuoteRequest(
            service,
            start,
            end,
            children,
            tier,
            groups,
            sick_rate,
            rng.choice((0, 0, 300, 57_570)) * 1,
        )
        try:
            quote(request, default_tariff_book())
        except Exception:  # an invalid mix (e.g. ages) is simply not part of the benchmark
            continue
        requests.append(request)
    return requests


def bench_engine(seconds: float) -> float:
    requests = realistic_requests(2_000)
    book = default_tariff_book()
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for request in requests:
            quote(request, book)
        done += len(requests)
    return done / (time.perf_counter() - started)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wrk(url: str, seconds: int, script: Path | None = None) -> float:
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} failed responses\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


# one of the slower quotes: two children, a night crossing 22:00 and midnight, a special group
HEAVY = {
    "service": "basic",
    "start": "2026-03-03T21:00:00+09:00",
    "end": "2026-03-04T00:00:00+09:00",
    "children": [{"birth_date": "2021-05-01"}, {"birth_date": "2018-02-03"}],
    "tier": "na",
    "groups": ["multi_child"],
    "hours_used": 100,
}
LANGUAGES = ("ko", "ko", "en", "kk")


def api_body(request: QuoteRequest) -> dict:
    """The request as a parent's browser sends it to POST /api/v1/quotes."""
    return {
        "service": request.service.value,
        "start": request.start.isoformat(),
        "end": request.end.isoformat(),
        "children": [{"birth_date": c.birth_date.isoformat()} for c in request.children],
        "tier": request.tier.value,
        "groups": sorted(g.value for g in request.groups),
        "sick_rate": request.sick_rate.value,
        "hours_used": request.minutes_used / 60,
    }


def client_lua(bodies: list[dict] | None) -> str:
    """A wrk script that sends requests as the families' browsers do, in their languages: a GET
    when there are no bodies, else a POST cycling through the bodies. Both endpoints go through
    the same script machinery, so that the client's own work per request is alike."""
    quoted = ",\n".join(json.dumps(json.dumps(body, ensure_ascii=False)) for body in bodies or [])
    languages = ", ".join(json.dumps(language) for language in LANGUAGES)
    return f"""
bodies = {{
{quoted}
}}
languages = {{ {languages} }}
counter = 0
request = function()
  counter = counter + 1
  local headers = {{}}
  headers["Accept-Language"] = languages[counter % #languages + 1]
  if #bodies == 0 then
    return wrk.format("GET", nil, headers, nil)
  end
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", nil, headers, bodies[counter % #bodies + 1])
end
"""


@dataclass(frozen=True)
class Round:
    trivial: float
    mixed: float
    heavy: float


def bench_http(seconds: int, workers: int, rounds_count: int) -> list[Round]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed for the HTTP part: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="dolbom-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite'}",
        "SECRET_KEY": "bench",
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--no-control-socket",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        trivial = workdir / "trivial.lua"
        trivial.write_text(client_lua(None))
        mixed = workdir / "mixed.lua"
        mixed.write_text(client_lua([api_body(r) for r in realistic_requests(500, seed=2)]))
        heavy = workdir / "heavy.lua"
        heavy.write_text(client_lua([HEAVY]))
        url = f"{base}/api/v1/quotes"
        wrk(f"{base}/livez", 2, trivial)  # warm up
        wrk(url, 2, mixed)
        runs = {
            "trivial": lambda: wrk(f"{base}/livez", seconds, trivial),
            "mixed": lambda: wrk(url, seconds, mixed),
            "heavy": lambda: wrk(url, seconds, heavy),
        }
        rounds = []
        for number in range(rounds_count):
            # alternate the runs, so that a slow spell of this shared machine hits each alike,
            # and reverse their order every other round, so that none always comes first
            order = list(runs) if number % 2 == 0 else list(reversed(runs))
            measured = {name: runs[name]() for name in order}
            rounds.append(Round(**measured))
        return rounds
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=2, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=8, help="alternating runs of each endpoint")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    engine = bench_engine(5)
    print(f"engine: {engine:,.0f} quotes/s (one core, mixed realistic requests)")
    rounds = bench_http(args.seconds, args.workers, args.rounds)
    for r in rounds:
        print(
            f"http: GET /livez {r.trivial:,.0f} req/s; POST /api/v1/quotes {r.mixed:,.0f} req/s "
            f"(ratio {r.mixed / r.trivial:.2f}), one heavy quote {r.heavy:,.0f} req/s "
            f"(ratio {r.heavy / r.trivial:.2f})"
        )
    # equal slots of time, alternated: the totals compare the endpoints over the same spells
    trivial = statistics.fmean(r.trivial for r in rounds)
    ratio = statistics.fmean(r.mixed for r in rounds) / trivial
    heavy = statistics.fmean(r.heavy for r in rounds) / trivial
    print(
        f"over {len(rounds)} rounds: GET /livez {trivial:,.0f} req/s; "
        f"ratio {ratio:.2f} (target ≥ 0.60); the heavy quote alone {heavy:.2f}"
    )
    sys.exit(0 if ratio >= 0.60 else 1)


if __name__ == "__main__":
    main()
