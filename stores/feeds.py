"""The store network's nightly feeds: stores (CONTRACT 3.1) and, below, the staff roster (3.2)."""

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.accounts.invitations import invitations_enqueue
from core.feeds import values as v
from core.feeds.base import Applied, Feed
from core.feeds.parsing import Cells, Column, Rejection, RowError
from core.feeds.registry import register
from core.feeds.upsert import IN_CHUNK, changed_fields, existing_by, upsert, write

from .models import Capability, Membership, Role, Store, join_capabilities
from .phones import normalise_phone
from .provinces import Province, normalise_province

User = get_user_model()

# Readers are built once: building them (and Django's choices lists) per row costs more than reading.
STORE_CODE = v.code(r"[A-Z0-9-]+", 3, 20)
CAPABILITIES = frozenset(Capability.values)
STORE_FIELDS = (
    "code", "kind", "name", "province", "city", "district", "address", "lat", "lng", "phone",
    "capabilities", "bays", "demo_cars", "opens_minute", "closes_minute", "status",
)  # fmt: skip


def province(raw: str) -> str:
    full = normalise_province(raw)
    if full is None:
        raise RowError(
            _("%(value)s is not one of mainland China's 31 provincial-level divisions (e.g. 广东省 or 广东).")
            % {"value": raw}
        )
    return full


def coordinate(low: int, high: int, hemisphere: str) -> v.Reader:
    as_decimal = v.decimal()

    def read(raw: str) -> float:
        value = float(as_decimal(raw))
        if not low <= value <= high:
            raise RowError(
                _("%(value)s is outside %(low)d–%(high)d %(hemisphere)s (mainland China, GCJ-02 degrees).")
                % {"value": raw, "low": low, "high": high, "hemisphere": hemisphere}
            )
        return value

    return read


def capabilities(raw: str) -> str:
    wanted = [part.strip().lower() for part in raw.split("|") if part.strip()]
    unknown = [part for part in wanted if part not in CAPABILITIES]
    if unknown:
        raise RowError(
            _("unknown %(unknown)s; each must be one of %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(Capability.values)}
        )
    return join_capabilities(wanted)


KIND = v.choice(Store.Kind.values)
NAME = v.text(100)
PLACE = v.text(50)
ADDRESS = v.text(200)
LATITUDE = coordinate(18, 54, "N")
LONGITUDE = coordinate(73, 135, "E")
PHONE = v.validated(normalise_phone)
BAYS = v.integer(0, 50)
DEMO_CARS = v.integer(0, 20)
STATUS = v.choice(Store.Status.values)


@register
class StoreFeed(Feed):
    name = "stores"
    label = gettext_lazy("Stores")
    order = 20
    file_glob = "stores*.csv"
    key_column = "code"
    supports_full = True
    columns = (
        Column("code", True), Column("kind", True), Column("name", True), Column("province", True),
        Column("city", True), Column("district"), Column("address", True), Column("lat", True),
        Column("lng", True), Column("phone", True), Column("capabilities"), Column("bays", True),
        Column("demo_cars"), Column("opens", True), Column("closes", True), Column("status", True),
    )  # fmt: skip

    def parse_row(self, cells: Cells) -> dict:
        row = v.RowReader(cells)
        row.take("code", STORE_CODE)
        row.take("kind", KIND)
        row.take("name", NAME)
        row.take("province", province)
        row.take("city", PLACE)
        row.take("district", PLACE, default="")
        row.take("address", ADDRESS)
        row.take("lat", LATITUDE)
        row.take("lng", LONGITUDE)
        row.take("phone", PHONE)
        row.take("capabilities", capabilities, default="")
        row.take("bays", BAYS)
        row.take("demo_cars", DEMO_CARS, default=0)
        opens = row.take("opens", v.hhmm, field="opens_minute")
        closes = row.take("closes", v.hhmm, field="closes_minute")
        if opens is not None and closes is not None and opens >= closes:
            row.error(
                "opens",
                _("%(opens)s is not before closes %(closes)s.") % {"opens": cells["opens"], "closes": cells["closes"]},
            )
        row.take("status", STATUS)
        return row.done()

    def apply(self, rows) -> Applied:
        return upsert(Store, key_field="code", rows=rows, fields=STORE_FIELDS)

    def guard_base(self) -> int:
        return Store.objects.filter(status=Store.Status.ACTIVE).count()

    def missing(self, keep: Collection[str]) -> list[int]:
        open_stores = Store.objects.exclude(status=Store.Status.CLOSED).values_list("pk", "code")
        return [pk for pk, code in open_stores.iterator(chunk_size=5000) if code not in keep]

    def close(self, pks: list[int]) -> int:
        now = timezone.now()
        closed = 0
        for start in range(0, len(pks), IN_CHUNK):
            closed += Store.objects.filter(pk__in=pks[start : start + IN_CHUNK]).update(
                status=Store.Status.CLOSED, updated_at=now
            )
        return closed


# The staff roster (CONTRACT 3.2): users and their memberships.

USERNAME = re.compile(r"[\w.@+-]{1,150}")
STORE_ROLES = (Role.STAFF, Role.MANAGER)
USER_FIELDS = ("first_name", "email", "is_active", "is_staff")
MEMBERSHIP_FIELDS = ("role", "store_id", "phone", "provinces")
ROLE = v.choice(Role.values)
FULL_NAME = v.text(150)
PROVINCE_ORDER = {name: index for index, name in enumerate(Province.values)}


def username(raw: str) -> str:
    value = raw.lower()
    if not USERNAME.fullmatch(value):
        raise RowError(_("%(value)s is not a username (at most 150 letters, digits and @ . + - _).") % {"value": raw})
    return value


def email(raw: str) -> str:
    try:
        validate_email(raw)
    except ValidationError:
        raise RowError(_("%(value)s is not an e-mail address.") % {"value": raw}) from None
    return raw


def provinces(raw: str) -> str:
    names = [part.strip() for part in raw.split("|") if part.strip()]
    full = [normalise_province(name) for name in names]
    unknown = [name for name, value in zip(names, full, strict=True) if value is None]
    if unknown:
        raise RowError(
            _("%(unknown)s: not among mainland China's 31 provincial-level divisions.")
            % {"unknown": ", ".join(unknown)}
        )
    return "|".join(sorted(set(full), key=PROVINCE_ORDER.__getitem__))


@dataclass
class StaffWrites:
    """What one chunk of the roster writes: users and memberships to create and to update."""

    new_users: list = field(default_factory=list)
    new_memberships: dict[str, dict] = field(default_factory=dict)  # by username, for the new users
    user_updates: list = field(default_factory=list)
    user_fields: set[str] = field(default_factory=set)
    membership_creates: list = field(default_factory=list)
    membership_updates: list = field(default_factory=list)
    membership_fields: set[str] = field(default_factory=set)

    def update(self, user: dict, membership: dict | None, wanted_user: dict, wanted_membership: dict) -> bool:
        """Plans the changes an existing user's row asks for; whether it changes anything."""
        changed_user = changed_fields(user, wanted_user)
        changed_membership = changed_fields(membership or {}, wanted_membership)
        if changed_user:
            obj = User(pk=user["pk"], **{name: user[name] for name in USER_FIELDS})
            for name in changed_user:
                setattr(obj, name, wanted_user[name])
            self.user_updates.append(obj)
            self.user_fields.update(changed_user)
        if membership is None:
            self.membership_creates.append(Membership(user_id=user["pk"], **wanted_membership))
        elif changed_membership:
            obj = Membership(**membership)
            for name in changed_membership:
                setattr(obj, name, wanted_membership[name])
            self.membership_updates.append(obj)
            self.membership_fields.update(changed_membership)
        return bool(changed_user or changed_membership or membership is None)

    def save(self) -> None:
        """Writes it all; the new users are invited to set a password once the run commits."""
        write(User, create=self.new_users, update=self.user_updates, fields=self.user_fields)
        if self.new_users:
            created = existing_by(User, "username", self.new_memberships, ("email", "is_active"))
            self.membership_creates += [
                Membership(user_id=created[name]["pk"], **wanted) for name, wanted in self.new_memberships.items()
            ]
            invitations_enqueue(user_ids=[u["pk"] for u in created.values() if u["email"] and u["is_active"]])
        write(Membership, create=self.membership_creates, update=self.membership_updates, fields=self.membership_fields)


@register
class StaffFeed(Feed):
    name = "staff"
    label = gettext_lazy("Staff")
    order = 30
    file_glob = "staff*.csv"
    key_column = "username"
    supports_full = True
    columns = (
        Column("username", True), Column("full_name"), Column("email"), Column("phone"),
        Column("role", True), Column("store_code"), Column("provinces"), Column("active"),
    )  # fmt: skip

    def normalise_key(self, raw: str) -> str:
        return raw.strip().lower()

    def parse_row(self, cells: Cells) -> dict:
        row = v.RowReader(cells)
        row.take("username", username)
        row.take("full_name", FULL_NAME, field="first_name", default="")
        row.take("email", email, default="")
        row.take("phone", PHONE, default="")
        role = row.take("role", ROLE)
        store_code = row.take("store_code", STORE_CODE, default="")
        regions = row.take("provinces", provinces, default="")
        row.take("active", v.flag, field="is_active", default=True)
        if role in STORE_ROLES and store_code == "":
            row.error("store_code", _("required for role %(role)s.") % {"role": role})
        if role == Role.REGIONAL and regions == "":
            row.error("provinces", _("required for role regional."))
        return row.done()

    def apply(self, rows) -> Applied:
        applied = Applied()
        users = existing_by(User, "username", (row.key for row in rows), (*USER_FIELDS, "is_superuser"))
        memberships = {
            m["user_id"]: m
            for m in Membership.objects.filter(user_id__in=[u["pk"] for u in users.values()]).values(
                "pk", "user_id", *MEMBERSHIP_FIELDS
            )
        }
        codes = {row.values["store_code"] for row in rows if row.values.get("store_code")}
        store_ids = dict(Store.objects.filter(code__in=codes).values_list("code", "pk")) if codes else {}
        writes = StaffWrites()
        for row in rows:
            user = users.get(row.key)
            membership = memberships.get(user["pk"]) if user else None
            try:
                wanted_user, wanted_membership = self._wanted(row, user, membership, store_ids)
            except RowError as exc:
                applied.rejections.append(Rejection(row.line, row.key, str(exc)))
                continue
            if user is None:
                writes.new_users.append(User(username=row.key, password=make_password(None), **wanted_user))
                writes.new_memberships[row.key] = wanted_membership
                applied.created += 1
            elif writes.update(user, membership, wanted_user, wanted_membership):
                applied.updated += 1
            else:
                applied.unchanged += 1
        writes.save()
        return applied

    def _wanted(self, row, user: dict | None, membership: dict | None, store_ids: dict) -> tuple[dict, dict]:
        """The user's and the membership's field values this row asks for, or RowError."""
        values = row.values
        if user is not None and user["is_superuser"]:
            raise RowError(
                _("%(username)s is a superuser; superusers are managed by hand, never by the roster.")
                % {"username": row.key}
            )
        role = values["role"]
        if "store_code" in values:
            code = values["store_code"]
            if code and code not in store_ids:
                raise RowError(_("store_code: there is no store %(code)s.") % {"code": code})
            store_id = store_ids.get(code)
        else:
            store_id = membership["store_id"] if membership else None
        if role in STORE_ROLES and store_id is None:
            raise RowError(_("store_code: required for role %(role)s.") % {"role": role})
        regions = values.get("provinces", membership["provinces"] if membership else "")
        if role == Role.REGIONAL and not regions:
            raise RowError(_("provinces: required for role regional."))
        wanted_user = {name: values[name] for name in ("first_name", "email", "is_active") if name in values}
        wanted_user["is_staff"] = role == Role.HQ  # HQ, and only HQ, may use the admin
        wanted_membership = {"role": role, "store_id": store_id, "provinces": regions}
        if "phone" in values:
            wanted_membership["phone"] = values["phone"]
        return wanted_user, wanted_membership

    def guard_base(self) -> int:
        return User.objects.filter(is_active=True, is_superuser=False).count()

    def missing(self, keep: Collection[str]) -> list[int]:
        active = User.objects.filter(is_active=True, is_superuser=False).values_list("pk", "username")
        return [pk for pk, name in active.iterator(chunk_size=5000) if name not in keep]

    def close(self, pks: list[int]) -> int:
        closed = 0
        for start in range(0, len(pks), IN_CHUNK):
            closed += User.objects.filter(pk__in=pks[start : start + IN_CHUNK]).update(is_active=False)
        return closed
