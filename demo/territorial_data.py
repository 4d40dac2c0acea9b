"""Demo 三资: for each village of 黄桥 with registry people, its 股份经济合作社 with a bank account and
receipts, a piece of collective land, asset cards bought through the approved change, two leases to
registry enterprises (one nearing its end, one with a rent instalment overdue), and the village's
报账员 (a village-wide grid worker) proposing payments with their vouchers: office supplies the head
settled (管理费用), road repairs waiting for the village committee (公益支出, a payment in progress).
Everything goes through the territorial actions, as the 报账员, the village head (村书记) and the town
leader. Idempotent: a village whose organisation exists is skipped."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.actions import StaffSpec, do_bulk_create_staff
from accounts.models import Role, User
from demo.names import person_name
from demo.places import grid_point
from registry.models import Entity
from territorial import actions
from territorial.assets import do_propose_asset_change, do_review_asset_change
from territorial.contracts import ContractInput, do_sign_contract
from territorial.funds import do_propose_payment, do_review_payment
from territorial.models import CollectiveOrganisation, ExpenditureCategory
from territory.models import Division, Grid
from workcalendar.service import LOCAL_TZ

TOWN = "320507003"  # 黄桥: its leader persona approves
LEADER = "huangqiao_leader"
CARDS = (
    ("ZC-01", "村民活动中心", "building", "860000.00"),
    ("ZC-02", "灌溉泵站设备", "equipment", "126500.00"),
)
# The village's payments: (amount, payee, purpose, category, proposed days ago, settled by the committee
# the day after?). The open one waits for the town's review.
PAYMENTS = (
    ("860.00", "黄桥文具商行", "村委会办公用品", ExpenditureCategory.MANAGEMENT, 9, True),
    ("3200.00", "本地施工队", "村道坑洼修补", ExpenditureCategory.PUBLIC_WELFARE, 2, False),
)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


def _voucher(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (245, 245, 235)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _square(lon: float, lat: float, size: float = 0.002) -> dict[str, object]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _bookkeeper(village_code: str, *, system: User, now: datetime) -> User:
    """The village's 报账员: a grid worker over the whole village, on its committee."""
    username = f"bookkeeper_{village_code}"
    user = User.objects.filter(username=username).first()
    if user is None:
        spec = StaffSpec(
            username,
            person_name(username),
            f"{village_code}-vc",
            Role.GRID_WORKER,
            village_code,
            is_demo=True,
        )
        [user] = do_bulk_create_staff([spec], actor=system, now=now, batch="demo")
    return user


def seed_territorial(*, now: datetime, system: User) -> dict[str, int]:
    counts = {"organisations": 0, "assets": 0, "contracts": 0, "payments": 0}
    leader = User.objects.filter(username=LEADER).first()
    today = now.astimezone(LOCAL_TZ).date()
    start = _at(today - timedelta(days=40), 9)
    villages = sorted(
        {
            code[:12]
            for code in Entity.objects.filter(territory_code__startswith=TOWN).values_list(
                "territory_code", flat=True
            )
        }
    )
    for village_code in villages:
        head = User.objects.filter(username=f"head_{village_code}").first()
        village = Division.objects.filter(code=village_code).first()
        if head is None or leader is None or village is None:
            continue
        if CollectiveOrganisation.objects.filter(village_code=village_code).exists():
            continue
        org = actions.do_create_organisation(
            village_code=village_code, name=f"{village.name}股份经济合作社", actor=system, now=start
        )
        account = actions.do_open_account(org, name="农商行基本户", kind="bank", actor=head, now=start)
        actions.do_record_entry(
            account,
            direction="in",
            voucher=_voucher("receipt.png"),
            amount="356000.00",
            booked_on=start.date(),
            summary="上年结转资金",
            actor=head,
            now=start,
        )
        grid = Grid.objects.filter(village_id=village_code).order_by("code").first()
        point = grid_point(grid.code) if grid else None
        lon, lat = (point.x, point.y) if point else (120.55, 31.4)
        land = actions.do_record_resource(
            org,
            name="东片集体农用地",
            kind="land",
            area_mu="42.50",
            outline=_square(lon, lat),
            actor=head,
            now=start,
        )
        for number, name, kind, value in CARDS:
            change = do_propose_asset_change(
                org,
                kind="purchase",
                actor=head,
                now=start,
                card={
                    "number": number,
                    "name": name,
                    "kind": kind,
                    "responsible": "村委会",
                    "value": value,
                    "lon": lon,
                    "lat": lat,
                },
            )
            do_review_asset_change(change, "approve", actor=leader, now=start + timedelta(hours=2))
            counts["assets"] += 1
        tenants = list(Entity.objects.filter(territory_code__startswith=village_code).order_by("id")[:2])
        if tenants:
            # Ends in 45 days (the 90-day warning is on); its rent was received when due.
            do_sign_contract(
                org,
                ContractInput(
                    number="HT-2025-01",
                    starts_on=today - timedelta(days=320),
                    ends_on=today + timedelta(days=45),
                    annual_price="48000.00",
                    schedule=[],
                    entity=tenants[0],
                    resource=land,
                    reference_price="45000.00",
                ),
                actor=head,
                now=start,
            )
            counts["contracts"] += 1
        if len(tenants) > 1:
            pond = actions.do_record_resource(
                org,
                name="西塘集体养殖水面",
                kind="water",
                area_mu="18.00",
                outline=_square(lon + 0.003, lat),
                actor=head,
                now=start,
            )
            # Runs three more years; the instalment due 20 days ago is still unpaid.
            do_sign_contract(
                org,
                ContractInput(
                    number="HT-2026-02",
                    starts_on=today - timedelta(days=60),
                    ends_on=today + timedelta(days=3 * 365),
                    annual_price="15600.00",
                    schedule=[(today - timedelta(days=20), "15600.00")],
                    entity=tenants[1],
                    resource=pond,
                ),
                actor=head,
                now=start,
            )
            counts["contracts"] += 1
        account.refresh_from_db()  # the receipt moved its balance
        bookkeeper = _bookkeeper(village_code, system=system, now=start)
        for amount, payee, purpose, category, days_ago, settled in PAYMENTS:
            payment = do_propose_payment(
                account,
                amount=amount,
                payee=payee,
                purpose=purpose,
                voucher=_voucher(f"voucher-{days_ago}.png"),
                actor=bookkeeper,
                now=_at(today - timedelta(days=days_ago)),
                category=category,
            )
            if settled:
                do_review_payment(
                    payment, "committee_settle", actor=head, now=_at(today - timedelta(days=days_ago - 1))
                )
                account.refresh_from_db()  # the settlement moved its balance
            counts["payments"] += 1
        counts["organisations"] += 1
    return counts
