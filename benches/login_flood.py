"""Intake latency beside a flood of wrong logins, on loopback.

usage: login_flood.py BASE_URL SECONDS LOGINS_PER_SECOND

Files one complaint every 50 ms for SECONDS and reports the median and p90 latency, first
alone, then while wrong logins (each for a new unknown address, so each is a full password
check) are sent at LOGINS_PER_SECOND from four threads. Both phases are bounded in time and
count; the login answers are tallied by status.
"""
import collections
import http.client
import json
import statistics
import sys
import threading
import time
from urllib.parse import urlparse

BASE = urlparse(sys.argv[1])
SECONDS = float(sys.argv[2])
RATE = float(sys.argv[3])
COMPLAINT = {
    "channel": "web",
    "complainant": {"name": "测试", "phone": "13800000000", "address": "江门市蓬江区建设路1号"},
    "respondent": {"name": "江门市蓬江区某某美妆店", "address": "江门市某路8号", "district": "440703"},
    "category": "goods.cosmetics.skincare", "nature": "quality",
    "title": "面膜使用后皮肤过敏红肿", "description": "使用两次后面部红肿瘙痒", "claim": "退货退款",
    "purchase": {"date": "2026-10-02", "amount_fen": 12900, "online": False}, "prefer_odr": False,
}


def post(conn, path, body):
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    res = conn.getresponse()
    res.read()
    return res.status


def intake(seconds):
    conn = http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=30)
    latencies, statuses, end = [], collections.Counter(), time.monotonic() + seconds
    n = 0
    while time.monotonic() < end and n < 100000:
        n += 1
        body = dict(COMPLAINT, complainant=dict(COMPLAINT["complainant"], phone=f"139{n:08d}"))
        start = time.monotonic()
        statuses[post(conn, "/api/v1/complaints", body)] += 1
        latencies.append((time.monotonic() - start) * 1000)
        time.sleep(max(0.0, 0.05 - (time.monotonic() - start)))
    return latencies, statuses


def flood(stop, counts, worker):
    conn = http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=30)
    interval, n = 4 / RATE, 0
    while not stop.is_set():
        n += 1
        start = time.monotonic()
        body = {"email": f"guess{worker}-{n}@example.com", "password": "wrong password"}
        counts[post(conn, "/api/v1/auth/login", body)] += 1
        time.sleep(max(0.0, interval - (time.monotonic() - start)))


def report(label, latencies, statuses):
    p90 = statistics.quantiles(latencies, n=10)[-1]
    print(f"{label} complaints={len(latencies)} statuses={dict(statuses)} "
          f"p50_ms={statistics.median(latencies):.1f} p90_ms={p90:.1f}")


report("alone", *intake(SECONDS))
stop, counts = threading.Event(), collections.Counter()
threads = [threading.Thread(target=flood, args=(stop, counts, w)) for w in range(4)]
for t in threads:
    t.start()
time.sleep(1)
started = time.monotonic()
report("with_login_flood", *intake(SECONDS))
stop.set()
for t in threads:
    t.join()
seconds = time.monotonic() - started + 1
print(f"logins={sum(counts.values())} per_s={sum(counts.values()) / seconds:.1f} statuses={dict(counts)}")
