import pytest

from stores.models import Store
from stores.tests.factories import StoreFactory


@pytest.fixture
def network(store, other_store):
    """Stores in Guangdong (GZ-0001 from the root fixture), Guangxi, Shanghai and Beijing."""
    return {
        "gz": store,
        "sh": other_store,
        "sz": StoreFactory(
            code="SZ-0002", name="深圳南山轮胎店", city="深圳市", kind=Store.Kind.PARTNER, capabilities="tyres|battery"
        ),
        "nn": StoreFactory(
            code="NN-0001", name="南宁青秀服务中心", province="广西壮族自治区", city="南宁市", lat=22.82, lng=108.37
        ),
        "bj": StoreFactory(
            code="BJ-0001",
            name="北京朝阳服务中心",
            province="北京市",
            city="北京市",
            lat=39.92,
            lng=116.44,
            status=Store.Status.SUSPENDED,
        ),
    }
