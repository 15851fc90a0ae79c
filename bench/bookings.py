"""Booking benchmark (issue 5), on PostgreSQL with the national-scale demo data and the month of
visits before it (February 2026: families know their caregivers, tables hold a month of history).

Parents POST /api/v1/bookings (request → quote → reserve the subsidised hours → rank the
agency's caregivers → offer to the best ten) against gunicorn, each request from another family.
Every worker is warmed up first (its first requests compile the SQL), then:
Phase 1a — capacity: a closed loop of concurrent clients, each sending its next request when the
last is answered; reports bookings a second (the most the server sustains) and latency.
Phase 1b — latency at the target rate: an open loop sends requests at --rate a second (Poisson
arrivals, however slow the answers), so that latency is measured as parents would see it; it is
counted from the moment each request was due, so a server that falls behind cannot hide it.
Both report p50/p95/p99 and the share of requests that found caregivers; the open loop also the
CPU a request took in gunicorn's workers, PostgreSQL's backends and the load generator.
Phase 2 — the race: every offered caregiver accepts every offer at once (threads, each with its
own session); then SQL proves that no caregiver and no child is booked twice.

Run: ``make bench-bookings`` (or ``.venv/bin/python bench/bookings.py [--rate 100 --seconds 10
--clients 8 --workers 3]``). ``dolbom_bench`` is made on first use (see ``national.py``); each run
works on a copy. The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import psutil
import sqlalchemy as sa
from national import (
    DEFAULT_URL,
    copy_database,
    drop_database,
    ensure_template,
    flush_to_disk,
    machine_pace,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = "2026-03-02T10:00:00+09:00"  # a Monday morning: ad-hoc requests for the next days


def prepare(url: str, families: int) -> list[tuple[str, int, str]]:
    """Tokens for parents of full-member families with a child of 1 to 12, and caregiver
    accounts for phase 2 (made directly in the database: logging in is not what we measure)."""
    os.environ["DATABASE_URL"] = url
    os.environ["FIXED_TIME"] = NOW
    from sqlalchemy import select

    from booking.households import Child, Household
    from service.accounts.models import User
    from service.accounts.service import issue_token
    from service.app import create_app
    from service.context import current_clock
    from service.extensions import db

    app = create_app()
    rng = random.Random(7)
    with app.app_context():
        rows = db.session.execute(
            select(Household.applicant_user_id, Child.id, Child.birth_date)
            .join(Child, Child.household_id == Household.id)
            .where(
                Household.member_state == "full_member",
                Child.birth_date < datetime(2025, 3, 1).date(),
            )
            .where(Child.birth_date > datetime(2013, 6, 1).date())
        ).all()
        chosen = rng.sample(rows, families)
        clock = current_clock()
        people = []
        for user_id, child_id, _birth in chosen:
            token, _ = issue_token(
                db.session, db.session.get(User, user_id), clock=clock, lifetime=timedelta(days=2)
            )
            people.append((token, child_id, str(user_id)))
        # caregiver accounts, so that the offers can be accepted in phase 2 (set-based SQL:
        # thirty thousand ORM updates would cost more than the benchmark itself)
        db.session.execute(
            sa.text(
                "INSERT INTO users (email, password_hash, display_name, role, agency_id, active, "
                "created_at, notify_by_email, notify_by_sms) "
                "SELECT 'bench.caregiver' || id || '@example.kr', 'x', name, "
                "'caregiver', agency_id, "
                "true, now(), false, false FROM caregivers WHERE user_id IS NULL"
            )
        )
        db.session.execute(
            sa.text(
                "UPDATE caregivers SET user_id = users.id FROM users "
                "WHERE caregivers.user_id IS NULL "
                "AND users.email = 'bench.caregiver' || caregivers.id || '@example.kr'"
            )
        )
        db.session.commit()
        for engine in db.engines.values():
            engine.dispose()
    return people


def serve(url: str, workers: int) -> tuple[subprocess.Popen, int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "FIXED_TIME": NOW, "SECRET_KEY": "bench"}
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
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def request_bytes(token: str, child_id: int, rng: random.Random) -> bytes:
    """One parent's booking request, as it goes on the wire (built before the clock starts)."""
    day = datetime(2026, 3, 3 + rng.randrange(4), 0, 0)
    start_hour = rng.choice((9, 10, 13, 14, 15, 16))
    start = day.replace(hour=start_hour, minute=rng.choice((0, 30)))
    end = start + timedelta(minutes=30 * rng.choice((4, 5, 6)))
    body = json.dumps(
        {
            "service": "basic",
            "start": start.isoformat() + "+09:00",
            "end": end.isoformat() + "+09:00",
            "child_ids": [child_id],
        }
    ).encode()
    head = (
        "POST /api/v1/bookings HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n"
        "Content-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\n"
        f"Idempotency-Key: {uuid.uuid4().hex}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def send(port: int, request: bytes) -> tuple[float, int, bytes]:
    """Send one request and read the answer to the server's close: (ms, status, body).

    A bare socket, not http.client: the load generator shares the two cores with the server, so
    every millisecond of its CPU is one the server does not get. The client closes as soon as the
    answer is in: gunicorn's sync worker waits for the client to close (RFC 9112 §9.6) before it
    takes the next request, as it would at once behind the proxy."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer and (chunk := connection.recv(65536)):
            answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        length = _content_length(head)
        while len(body) < length and (chunk := connection.recv(65536)):
            body += chunk
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, int(head.split(b" ", 2)[1]), body


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def outcome(status: int, body: bytes) -> tuple[int, str | None]:
    """The status and the booking's state (parsed after the clock stops)."""
    return status, json.loads(body or b"{}").get("state")


def closed_loop(port: int, requests: list[bytes], clients: int):
    """Each client sends its next request as soon as the last is answered."""
    results = []
    lock = threading.Lock()

    def client(index: int) -> None:
        for request in requests[index::clients]:
            answer = send(port, request)
            with lock:
                results.append(answer)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return results, time.perf_counter() - started


def open_loop(port: int, requests: list[bytes], rate: float):
    """Requests fall due at ``rate`` a second on average, answered or not; latency counts from
    the moment each fell due (no coordinated omission)."""
    rng = random.Random(11)
    due, at = [], 0.0
    for _ in requests:
        at += rng.expovariate(rate)
        due.append(at)
    results = []
    lock = threading.Lock()

    def send_due(request: bytes, due_at: float) -> None:
        _, status, body = send(port, request)
        with lock:
            results.append(((time.perf_counter() - due_at) * 1000, status, body))

    with ThreadPoolExecutor(64) as pool:
        started = time.perf_counter()
        for request, offset in zip(requests, due, strict=True):
            delay = started + offset - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send_due, request, started + offset)
    return results, time.perf_counter() - started


class CpuMeter:
    """CPU time a request took in each part of the machine: gunicorn's workers, the database's
    backends serving them, and this load generator. Latency on a shared machine moves with its
    slow spells; CPU a request shows whether a change made the work itself smaller."""

    def __init__(self, url: str, server_pid: int) -> None:
        database = sa.engine.make_url(url).database
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            backends = connection.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity WHERE datname = %(name)s "
                "AND pid <> pg_backend_pid()",
                {"name": database},
            ).scalars()
            self.parts = {
                "workers": psutil.Process(server_pid).children(),
                "PostgreSQL": [psutil.Process(pid) for pid in backends],
                "load generator": [psutil.Process()],
            }
        engine.dispose()
        self.started = {name: _cpu_seconds(processes) for name, processes in self.parts.items()}

    def report(self, requests: int) -> str:
        spent = {
            name: (_cpu_seconds(processes) - self.started[name]) * 1000 / requests
            for name, processes in self.parts.items()
        }
        return "  CPU a request: " + ", ".join(f"{name} {ms:.2f} ms" for name, ms in spent.items())


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def report(title: str, results, seconds: float) -> tuple[float, float]:
    latencies = sorted(r[0] for r in results)
    outcomes = [outcome(status, body) for _, status, body in results]
    created = [state for status, state in outcomes if status == 201]
    offered = [state for state in created if state == "offered"]
    q = statistics.quantiles(latencies, n=100)
    statuses = {s: sum(1 for r in results if r[1] == s) for s in sorted({r[1] for r in results})}
    rate = len(results) / seconds
    print(f"{title}: {len(results)} requests in {seconds:.1f} s = {rate:.0f} bookings/s")
    print(f"  latency ms: p50 {q[49]:.1f}  p95 {q[94]:.1f}  p99 {q[98]:.1f}")
    print(
        f"  statuses: {statuses}; offered to caregivers: {len(offered)}/{len(created)} "
        f"({100 * len(offered) / max(len(created), 1):.0f}%)"
    )
    return rate, q[94]


def phase_two(url: str) -> tuple[int, int, int, int]:
    """Every pending offer accepted at once; then count double bookings in SQL."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from booking.assignment import CaregiverLimits
    from booking.caregivers import Caregiver
    from booking.matching import Offer, accept_offer
    from core.actors import Actor, Role
    from core.clock import FixedClock
    from core.errors import Conflict

    engine = sa.create_engine(url, pool_size=8, max_overflow=4)
    clock = FixedClock(datetime.fromisoformat(NOW))
    with Session(engine) as session:
        offers = session.execute(
            select(Offer.id, Caregiver.user_id, Caregiver.agency_id)
            .join(Caregiver, Caregiver.id == Offer.caregiver_id)
            .where(Offer.state == "pending")
        ).all()
    random.Random(3).shuffle(offers)

    def accept(row) -> str:
        offer_id, user_id, agency_id = row
        with Session(engine) as session:
            try:
                accept_offer(
                    session,
                    Actor(user_id, Role.CAREGIVER, agency_id=agency_id),
                    offer_id,
                    limits=CaregiverLimits(),
                    clock=clock,
                )
                session.commit()
                return "won"
            except Conflict:
                session.rollback()
                return "lost"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(accept, offers))
    with engine.connect() as connection:
        caregiver_doubles = connection.exec_driver_sql(
            "SELECT count(*) FROM bookings a JOIN bookings b "
            "ON a.caregiver_id = b.caregiver_id AND a.id < b.id "
            "AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at) "
            "WHERE a.state IN ('matched','confirmed') AND b.state IN ('matched','confirmed')"
        ).scalar()
        child_doubles = connection.exec_driver_sql(
            "SELECT count(*) FROM booked_children a JOIN booked_children b "
            "ON a.child_id = b.child_id "
            "AND a.booking_id < b.booking_id AND a.active AND b.active "
            "AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)"
        ).scalar()
    engine.dispose()
    return len(offers), outcomes.count("won"), caregiver_doubles, child_doubles


def main() -> None:
    parser = argparse.ArgumentParser(description="Dolbom booking benchmark")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--clients", type=int, default=8, help="closed loop: concurrent clients")
    parser.add_argument("--requests", type=int, default=1200, help="closed loop: requests")
    parser.add_argument("--rate", type=float, default=100, help="open loop: requests a second")
    parser.add_argument("--seconds", type=float, default=10, help="open loop: duration")
    parser.add_argument(
        "--workers",
        type=int,
        default=(os.cpu_count() or 1) + 1,
        help="gunicorn workers: one more than there are cores, as in gunicorn.conf.py",
    )
    args = parser.parse_args()
    warmup = 20 * args.workers  # psycopg prepares after 5 runs, PostgreSQL plans 5 more
    open_count = int(args.rate * args.seconds)
    ensure_template(args.database_url)
    url = copy_database(args.database_url)
    server = None
    try:
        people = prepare(url, warmup + args.requests + open_count)
        flush_to_disk(url)
        server, port = serve(url, args.workers)
        rng = random.Random(0)
        requests = [request_bytes(token, child_id, rng) for token, child_id, _ in people]
        with ThreadPoolExecutor(args.workers) as pool:  # every worker compiles its statements
            list(pool.map(lambda request: send(port, request), requests[:warmup]))
        closed = requests[warmup : warmup + args.requests]
        print(f"machine pace before: {machine_pace():.1f} ms (a fixed Python loop; 40 is usual)")
        results, seconds = closed_loop(port, closed, args.clients)
        capacity, _ = report(
            f"closed loop, {args.clients} clients, gunicorn -w {args.workers}", results, seconds
        )
        meter = CpuMeter(url, server.pid)
        results, seconds = open_loop(port, requests[warmup + args.requests :], args.rate)
        _, p95 = report(f"open loop at {args.rate:.0f} a second", results, seconds)
        print(meter.report(len(results)))
        print(f"machine pace after: {machine_pace():.1f} ms")
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server = None
        offers, won, caregiver_doubles, child_doubles = phase_two(url)
        print(
            f"race: {offers} offers accepted at once by their caregivers: {won} bookings matched; "
            f"double bookings: caregivers {caregiver_doubles}, children {child_doubles}"
        )
        ok = capacity >= 100 and p95 < 50 and caregiver_doubles == child_doubles == 0
        print(
            "targets (>= 100 bookings/s, p95 < 50 ms, no double booking):",
            "met" if ok else "NOT met",
        )
        sys.exit(0 if ok else 1)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        drop_database(url)


if __name__ == "__main__":
    main()
