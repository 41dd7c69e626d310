import factory
from django.contrib.auth import get_user_model

from stores.models import Membership, Role, Store

DEFAULT_PASSWORD = "Goodcar-test-2026"


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ST-{n:05d}")
    kind = Store.Kind.SERVICE
    name = factory.Sequence(lambda n: f"好车服务中心{n}号店")
    province = "广东省"
    city = "广州市"
    district = "天河区"
    address = factory.Sequence(lambda n: f"天河路{n}号")
    lat = 23.1291
    lng = 113.2644
    phone = "020-87654321"
    capabilities = "sales|test_drive|delivery|maintenance|repair|battery"
    bays = 4
    demo_cars = 2
    opens_minute = 8 * 60
    closes_minute = 20 * 60
    status = Store.Status.ACTIVE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "测试"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.django.Password(DEFAULT_PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.STAFF
    store = factory.SubFactory(StoreFactory)


def make_user(
    role: str, *, store: Store | None = None, provinces: list[str] | None = None, username: str | None = None
):
    """A user with a membership of the given role; staff and managers get a store."""
    user = UserFactory(**({"username": username} if username else {}))
    store = (store or StoreFactory()) if role in (Role.STAFF, Role.MANAGER) else None
    user.is_staff = role == Role.HQ
    user.save(update_fields=["is_staff"])
    Membership.objects.create(user=user, role=role, store=store, provinces="|".join(provinces or []))
    return user
