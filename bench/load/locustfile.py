"""The mixed workload of `make load` (bench/load/run.py starts the platform and runs this headless):
grid workers reporting and listing, dispatchers listing and acting, residents reporting and tracking,
Open311 clients polling and a leader's figures. Credentials come from the JSON file LOAD_CREDENTIALS
(username → token, session), written by run.py. Names group the requests into the kinds the report
prints. A 409 (someone acted on the item first) is the engine's answer to a race, not an error."""

from __future__ import annotations

import json
import os
import random
from typing import Any

from locust import FastHttpUser, between, task

CREDS: dict[str, dict[str, str]] = json.loads(open(os.environ["LOAD_CREDENTIALS"], encoding="utf-8").read())  # noqa: SIM115
GRID_WORKERS = sorted(name for name in CREDS if name.startswith("grid_"))
POINT = (120.62, 31.45)  # inside a grid of the demo district (苏州高铁新城)
JITTER = 0.01  # degrees; every point within it lies in a grid of the district


def token(username: str) -> dict[str, str]:
    return {"Authorization": f"Token {CREDS[username]['token']}"}


class GridWorker(FastHttpUser):
    weight = 3
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.username = random.choice(GRID_WORKERS)
        self.grid = self.username.removeprefix("grid_")

    @task(1)
    def report(self) -> None:
        body = {
            "channel": "patrol",
            "category_code": "0102",
            "description": "巡查发现路边有暴露垃圾（压测）",
            "grid_code": self.grid,
        }
        self.client.post(
            "/api/v1/grid/events/", json=body, headers=token(self.username), name="worker: report"
        )

    @task(3)
    def my_list(self) -> None:
        self.client.get(
            "/api/v1/grid/events/?page_size=20", headers=token(self.username), name="worker: list"
        )


class Dispatcher(FastHttpUser):
    weight = 2
    wait_time = between(0.5, 1.5)

    @task(3)
    def events(self) -> None:
        self.client.get(
            "/api/v1/grid/events/?page_size=20", headers=token("dispatcher"), name="dispatcher: events"
        )

    @task(2)
    def work_items(self) -> None:
        self.client.get(
            "/api/v1/work-items/?page_size=20", headers=token("dispatcher"), name="dispatcher: work items"
        )

    @task(2)
    def queue_page(self) -> None:
        cookie = {"Cookie": f"sessionid={CREDS['dispatcher']['session']}"}
        self.client.get("/grid/dispatch/", headers=cookie, name="dispatcher: queue page")

    @task(1)
    def file_one(self) -> None:
        listed = self.client.get(
            "/api/v1/grid/events/?state=reported&page_size=20",
            headers=token("dispatcher"),
            name="dispatcher: events",
        )
        rows: list[dict[str, Any]] = listed.json().get("results", []) if listed.status_code == 200 else []
        if not rows:
            return
        event = random.choice(rows)
        with self.client.post(
            f"/api/v1/grid/events/{event['id']}/actions/",
            json={"action": "file"},
            headers=token("dispatcher"),
            name="dispatcher: act (file)",
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                response.success()  # another dispatcher filed it first: the version check worked


class Resident(FastHttpUser):
    weight = 3
    wait_time = between(1, 3)
    receipts: list[str]

    def on_start(self) -> None:
        self.receipts = []

    @task(1)
    def report(self) -> None:
        body = {
            "category_code": "0102",
            "description": "小区门口有成堆的垃圾，请尽快处理（压测）",
            # Residents report from many places (about 2 km around the point), not from one spot.
            "lon": POINT[0] + random.uniform(-JITTER, JITTER),
            "lat": POINT[1] + random.uniform(-JITTER, JITTER),
        }
        response = self.client.post("/api/v1/public/reports/", json=body, name="resident: report")
        if response.status_code == 201:
            self.receipts.append(response.json()["receipt_number"])

    @task(3)
    def track(self) -> None:
        if self.receipts:
            receipt = random.choice(self.receipts)
            self.client.get(f"/api/v1/public/reports/{receipt}/", name="resident: track")


class Open311Client(FastHttpUser):
    weight = 2
    wait_time = between(1, 2)

    @task
    def poll(self) -> None:
        self.client.get("/open311/v2/requests.json", name="open311: poll")


class Leader(FastHttpUser):
    weight = 1
    wait_time = between(2, 5)

    @task
    def figures(self) -> None:
        self.client.get(
            "/api/v1/grid/figures/?level=district&code=320507",
            headers=token("dispatcher"),
            name="leader: figures",
        )
