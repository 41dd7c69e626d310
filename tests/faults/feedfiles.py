"""Store feed files for the fault tests."""

import csv
import io

HEADER = [
    "code", "kind", "name", "province", "city", "district", "address", "lat", "lng", "phone",
    "capabilities", "bays", "demo_cars", "opens", "closes", "status",
]  # fmt: skip


def store_rows(count: int, *, prefix: str = "KL", name: str = "好车门店") -> list[list[str]]:
    return [
        [
            f"{prefix}-{n:06d}",
            "partner",
            f"{name}{n}",
            "广东省",
            "广州市",
            "天河区",
            f"天河路{n}号",
            "23.1291",
            "113.2644",
            "020-87654321",
            "maintenance|repair",
            "2",
            "0",
            "08:00",
            "20:00",
            "active",
        ]  # fmt: skip
        for n in range(count)
    ]


def store_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
