"""The basic registries (一标三实): standard addresses, houses and buildings, people and households, legal
entities and key places. Every row carries the territory code it belongs to (jurisdiction is a prefix
of it). Personal data is stored sealed (AES-GCM, `registry.crypto`) beside an HMAC for exact lookup;
history (simple-history) never copies the sealed columns, so rotating keys touches live tables only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

SEALED_MAX = 400  # room for a sealed 100-character value (nonce + tag + base64)


class Address(models.Model):
    """标准地址: division (village or grid) code + 街路巷 + 门楼牌号 + 详址, with a point."""

    territory_code = models.CharField(_("区划/网格代码"), max_length=15, db_index=True)
    street = models.CharField(_("街路巷"), max_length=100)
    door_number = models.CharField(_("门楼牌号"), max_length=30)
    detail = models.CharField(_("详址"), max_length=100, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    # One string form ("春申路88号3幢"), and what search matches: the division names in front of it.
    text = models.CharField(_("地址"), max_length=250)
    search_text = models.CharField(_("检索文本"), max_length=400, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("标准地址")
        verbose_name_plural = _("标准地址")
        ordering = ["territory_code", "street", "door_number", "detail"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory_code", "street", "door_number", "detail"], name="address_unique"
            )
        ]

    def __str__(self) -> str:
        return self.text


class Building(models.Model):
    """实有房屋 (building level). `code`: village code (12) + 街巷院落 (3) + building (3), as GB/T 39609."""

    class Use(models.TextChoices):
        RESIDENTIAL = "residential", _("住宅")
        COMMERCIAL = "commercial", _("商业")
        MIXED = "mixed", _("商住混合")
        INDUSTRIAL = "industrial", _("工业/仓储")
        PUBLIC = "public", _("公共服务")

    class Structure(models.TextChoices):
        STEEL_CONCRETE = "steel_concrete", _("钢混")
        BRICK_CONCRETE = "brick_concrete", _("砖混")
        BRICK_WOOD = "brick_wood", _("砖木")
        STEEL = "steel", _("钢结构")
        OTHER = "other", _("其他")

    code = models.CharField(_("房屋编码"), max_length=18, unique=True)
    territory_code = models.CharField(_("所属网格"), max_length=15, db_index=True)
    address = models.ForeignKey(Address, verbose_name=_("地址"), on_delete=models.PROTECT)
    compound = models.CharField(_("街巷院落"), max_length=100)
    number = models.CharField(_("幢号"), max_length=20)
    use = models.CharField(_("用途"), max_length=15, choices=Use.choices)
    structure = models.CharField(_("结构"), max_length=15, choices=Structure.choices)
    floors = models.PositiveSmallIntegerField(_("层数"))
    owner_name = models.CharField(_("产权人"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("房屋（幢）")
        verbose_name_plural = _("房屋（幢）")
        ordering = ["code"]

    def __str__(self) -> str:
        return gettext("%(compound)s%(number)s幢") % {"compound": self.compound, "number": self.number}


class House(models.Model):
    """A unit/room of a building (code = building code + unit 2 + room 4); rented out or not (出租房)."""

    building = models.ForeignKey(
        Building, verbose_name=_("房屋（幢）"), on_delete=models.PROTECT, related_name="houses"
    )
    code = models.CharField(_("房屋编码"), max_length=24, unique=True)
    territory_code = models.CharField(_("所属网格"), max_length=15, db_index=True)
    unit = models.CharField(_("单元"), max_length=10, blank=True)
    room = models.CharField(_("室号"), max_length=10)
    rented = models.BooleanField(_("出租房"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("房屋（户室）")
        verbose_name_plural = _("房屋（户室）")
        ordering = ["code"]

    def __str__(self) -> str:
        if self.unit:
            return gettext("%(building)s%(unit)s单元%(room)s室") % {
                "building": self.building,
                "unit": self.unit,
                "room": self.room,
            }
        return gettext("%(building)s%(room)s室") % {"building": self.building, "room": self.room}


class Household(models.Model):
    """户: exactly one member is the head (a partial unique index keeps it at most one; actions at least)."""

    number = models.CharField(_("户号"), max_length=30, unique=True)
    territory_code = models.CharField(_("所属网格"), max_length=15, db_index=True)
    house = models.ForeignKey(
        House,
        verbose_name=_("住房"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class Person(models.Model):
    """实有人口. ID and phone numbers sealed with an HMAC beside them; birth date and sex derived."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("户籍人口")
        MIGRANT = "migrant", _("流动人口")
        LEFT_BEHIND = "left_behind", _("留守人员")
        FOREIGN = "foreign", _("境外人员")

    class IdType(models.TextChoices):
        RESIDENT_ID = "resident_id", _("居民身份证")
        PASSPORT = "passport", _("护照/其他证件")

    class Relation(models.TextChoices):
        HEAD = "head", _("户主")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        GRANDCHILD = "grandchild", _("孙子女")
        OTHER = "other", _("其他")

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    territory_code = models.CharField(_("所属网格"), max_length=15, db_index=True)
    kind = models.CharField(_("人口类别"), max_length=15, choices=Kind.choices)
    # Indexed: the publication path looks up which strings of a public text are registered names.
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    id_type = models.CharField(
        _("证件类型"), max_length=15, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number_sealed = models.CharField(_("证件号码（密文）"), max_length=SEALED_MAX)
    id_number_hash = models.CharField(_("证件号码（查询哈希）"), max_length=64, unique=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    nationality = models.CharField(_("国籍"), max_length=3, default="CHN")
    phone_sealed = models.CharField(_("联系电话（密文）"), max_length=SEALED_MAX, blank=True)
    phone_hash = models.CharField(_("联系电话（查询哈希）"), max_length=64, blank=True, db_index=True)
    house = models.ForeignKey(
        House,
        verbose_name=_("住房"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )
    address_detail_sealed = models.CharField(_("详细住址（密文）"), max_length=SEALED_MAX, blank=True)
    tenant = models.BooleanField(_("承租人"), default=False)
    household = models.ForeignKey(
        Household,
        verbose_name=_("户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    relation = models.CharField(_("与户主关系"), max_length=12, choices=Relation.choices, blank=True)
    # The history is read one person at a time (by id, in time order), never searched by number, grid or
    # household: it keeps no copy of the live table's lookup indexes, which each imported row would pay.
    history = HistoricalRecords(
        excluded_fields=["id_number_sealed", "phone_sealed", "address_detail_sealed"],
        no_db_index=["id_number_hash", "territory_code", "phone_hash", "house", "household", "name"],
    )

    class Meta:
        verbose_name = _("实有人口")
        verbose_name_plural = _("实有人口")
        ordering = ["territory_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(relation="head"), name="household_one_head"
            )
        ]

    def __str__(self) -> str:
        return f"person #{self.pk}"  # never the name: str() ends up in logs


class SensitiveRecord(models.Model):
    """关爱对象 tags and 特殊人群 of a person: a separate, more protected record, every value sealed."""

    person = models.OneToOneField(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="sensitive"
    )
    territory_code = models.CharField(_("所属网格"), max_length=15, db_index=True)
    care_tags_sealed = models.TextField(_("关爱标签（密文）"), blank=True)
    special_groups_sealed = models.TextField(_("特殊人群（密文）"), blank=True)
    note_sealed = models.TextField(_("说明（密文）"), blank=True)

    class Meta:
        verbose_name = _("敏感信息")
        verbose_name_plural = _("敏感信息")

    def __str__(self) -> str:
        return f"sensitive record of person #{self.person_id}"


class HouseholdMove(models.Model):
    """A member moving into or out of a household: kept, never overwritten."""

    class Direction(models.TextChoices):
        IN = "in", _("迁入")
        OUT = "out", _("迁出")

    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="moves"
    )
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="moves")
    direction = models.CharField(_("方向"), max_length=3, choices=Direction.choices)
    relation = models.CharField(_("与户主关系"), max_length=12, choices=Person.Relation.choices, blank=True)
    occurred_on = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("户成员变动")
        verbose_name_plural = _("户成员变动")
        ordering = ["household_id", "occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.direction} person #{self.person_id}"


class Entity(models.Model):
    """实有单位: unified social credit code (GB 32100), GB/T 4754 industry, size, grid."""

    class Size(models.TextChoices):
        LARGE = "large", _("大型")
        MEDIUM = "medium", _("中型")
        SMALL = "small", _("小型")
        MICRO = "micro", _("微型")
        INDIVIDUAL = "individual", _("个体工商户")

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    legal_representative = models.CharField(_("法定代表人"), max_length=50)
    legal_representative_phone_sealed = models.CharField(
        _("法定代表人电话（密文）"), max_length=SEALED_MAX, blank=True
    )
    industry_code = models.CharField(_("行业代码（GB/T 4754）"), max_length=5)
    size = models.CharField(_("规模"), max_length=12, choices=Size.choices)
    territory_code = models.CharField(_("所属网格"), max_length=15, db_index=True)
    address = models.ForeignKey(
        Address, verbose_name=_("地址"), null=True, blank=True, on_delete=models.PROTECT
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("所在房屋"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entities",
    )
    history = HistoricalRecords(excluded_fields=["legal_representative_phone_sealed"])

    class Meta:
        verbose_name = _("实有单位")
        verbose_name_plural = _("实有单位")
        ordering = ["territory_code", "name"]

    def __str__(self) -> str:
        return self.name


class KeyPlace(models.Model):
    """重点场所, inspected every `inspection_days` days (the grid's patrol items follow that frequency)."""

    class Kind(models.TextChoices):
        NINE_SMALL = "nine_small", _("九小场所")
        HAZARDOUS_CHEMICALS = "hazardous_chemicals", _("危化品场所")
        CROWDED = "crowded", _("人员密集场所")

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    territory_code = models.CharField(_("所属网格"), max_length=15, db_index=True)
    entity = models.ForeignKey(
        Entity, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="places"
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("所在房屋"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="places",
    )
    address = models.ForeignKey(
        Address, verbose_name=_("地址"), null=True, blank=True, on_delete=models.PROTECT
    )
    inspection_days = models.PositiveSmallIntegerField(_("巡查周期（天）"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("重点场所")
        verbose_name_plural = _("重点场所")
        ordering = ["territory_code", "name"]

    def __str__(self) -> str:
        return self.name


class RecordChange(models.Model):
    """A change to one registry record proposed from the field (基础信息变更): which fields, their values
    before and after (sealed together: phones, addresses and care tags are personal data), by whom and
    why. The fields declared trivial (`registry.changes.TRIVIAL_FIELDS`) apply at once as a change of
    their own (`trivial`, applied when proposed); the others wait for the village's review on process
    registry_change (grid), whose `approve` applies them and whose `reject` returns them."""

    class Kind(models.TextChoices):
        PERSON = "person", _("人员信息变更")
        MOVE_OUT = "move_out", _("迁出户")
        MOVE_IN = "move_in", _("迁入户")
        ENTITY = "entity", _("单位信息变更")
        KEY_PLACE = "key_place", _("重点场所变更")
        HOUSE = "house", _("房屋出租变更")

    class Outcome(models.TextChoices):
        PROPOSED = "proposed", _("待审核")
        APPLIED = "applied", _("已生效")
        RETURNED = "returned", _("已退回")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    territory_code = models.CharField(_("所属网格"), max_length=15, db_index=True)
    # The record changed: exactly one of these four (a move in or out of a household changes the person).
    person = models.ForeignKey(
        Person,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
    )
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
    )
    key_place = models.ForeignKey(
        KeyPlace,
        verbose_name=_("重点场所"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
    )
    house = models.ForeignKey(
        House, verbose_name=_("房屋"), null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    fields = models.JSONField(_("变更字段"), default=list)  # names only; the values are sealed below
    values_sealed = models.TextField(_("变更前后（密文）"))
    summary = models.CharField(_("摘要（脱敏）"), max_length=300)
    trivial = models.BooleanField(_("即时生效（一般字段）"), default=False)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("提出时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("生效/退回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("基础信息变更")
        verbose_name_plural = _("基础信息变更")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, entity=None, key_place=None, house=None)
                    | Q(person=None, entity__isnull=False, key_place=None, house=None)
                    | Q(person=None, entity=None, key_place__isnull=False, house=None)
                    | Q(person=None, entity=None, key_place=None, house__isnull=False)
                ),
                name="record_change_one_record",
            )
        ]

    def __str__(self) -> str:
        return self.summary


class UnmaskRecord(models.Model):
    """One unmasking of one value: who, which field of which record, why (purpose + note + work item)."""

    class Purpose(models.TextChoices):
        CASE_HANDLING = "case_handling", _("业务办理")
        IDENTITY_CHECK = "identity_check", _("身份核实")
        VISIT = "visit", _("走访服务")
        INVESTIGATION = "investigation", _("执法调查")
        EMERGENCY = "emergency", _("应急处置")
        OTHER = "other", _("其他（须说明）")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unmasks",
    )
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unmasks",
    )
    field = models.CharField(_("字段"), max_length=40)
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    work_item = models.CharField(_("关联事项"), max_length=60, blank=True)
    territory_code = models.CharField(_("所属网格"), max_length=15, db_index=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("解密查看记录")
        verbose_name_plural = _("解密查看记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_id} unmasked {self.field} ({self.purpose})"

    @property
    def field_label(self) -> str:
        from registry.sensitivity import FIELDS  # sensitivity reads accounts; keep models import-light

        spec = FIELDS.get(self.field)
        return spec.label if spec else self.field


class RotationCursor(models.Model):
    """Where `rotate_registry_keys` stopped for a table (the last primary key re-sealed), so it resumes."""

    table = models.CharField(max_length=60, unique=True)
    target_version = models.PositiveIntegerField()
    last_pk = models.BigIntegerField(default=0)
    done = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.table} → v{self.target_version} @ {self.last_pk}"
