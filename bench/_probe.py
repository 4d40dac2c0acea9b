"""Measure endpoints with locust in a process of its own (gevent must patch the standard library before
anything imports ssl). Input on stdin: {"base", "seconds", "users", "probes": [{"path", "headers",
"json"?, "jitter"?}]} (with "json" the probe POSTs that body, its lon/lat moved at random by up to
"jitter" degrees per request; a 2xx answer is a success);
output on stdout: one JSON list of [requests/s, p50 ms, p99 ms, requests, failures] per probe."""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
from locust import FastHttpUser, constant, task  # noqa: E402
from locust.env import Environment  # noqa: E402


def measure(
    base: str,
    path: str,
    headers: dict[str, str],
    seconds: float,
    users: int,
    body: dict[str, Any] | None = None,
    jitter: float = 0.0,
) -> list[float]:
    method = "GET" if body is None else "POST"

    class One(FastHttpUser):
        host = base
        wait_time = constant(0)

        @task
        def hit(self) -> None:
            if body is None:
                self.client.get(path, headers=headers, name="probe")
            elif jitter and isinstance(body.get("lon"), float) and isinstance(body.get("lat"), float):
                # Residents report from many places: a point moved at random within ±jitter degrees.
                moved = {
                    **body,
                    "lon": float(body["lon"]) + random.uniform(-jitter, jitter),
                    "lat": float(body["lat"]) + random.uniform(-jitter, jitter),
                }
                self.client.post(path, json=moved, headers=headers, name="probe")
            else:
                self.client.post(path, json=body, headers=headers, name="probe")

    env = Environment(user_classes=[One])
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users * 10)
    gevent.sleep(1.0)  # warm-up: connections open, caches filled
    env.stats.reset_all()
    gevent.sleep(seconds)
    stats = env.stats.get("probe", method)
    result = [
        stats.num_requests / seconds,
        stats.get_response_time_percentile(0.5) or 0.0,
        stats.get_response_time_percentile(0.99) or 0.0,
        stats.num_requests,
        stats.num_failures,
    ]
    runner.quit()
    return result


def main() -> None:
    spec = json.load(sys.stdin)
    out = [
        measure(
            spec["base"],
            p["path"],
            p["headers"],
            float(spec["seconds"]),
            int(spec["users"]),
            p.get("json"),
            float(p.get("jitter", 0.0)),
        )
        for p in spec["probes"]
    ]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
