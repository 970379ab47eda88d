"""What the demo province and the national demo share: the provincial departments, the
one-stop indicators and how their monthly values follow from each other (the sums add up)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

DEPARTMENTS = [  # a province's departments, in the demo province's order
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Xây dựng",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường",
    "Sở Khoa học và Công nghệ",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Dân tộc và Tôn giáo",
    "Thanh tra tỉnh",
    "Văn phòng UBND tỉnh",
    "Ban Quản lý Khu kinh tế",
    "Sở Ngoại vụ",
]


COUNT_INDICATORS = [
    "procedures_total",
    "procedures_full_online",
    "dossiers_received",
    "dossiers_received_direct",
    "dossiers_received_online",
    "dossiers_received_postal",
    "dossiers_resolved",
    "dossiers_resolved_early",
    "dossiers_resolved_on_time",
    "dossiers_resolved_late",
    "dossiers_digitised",
    "dossiers_paid_online",
]


def one_stop_values(
    *, procedures, full_online, received, online, postal, resolved, early, late, digitised, paid
):
    """The value of every :data:`COUNT_INDICATORS` from the invented ones (numbers or NumPy
    arrays): dossiers received directly and resolved on time are what the others leave."""
    return {
        "procedures_total": procedures,
        "procedures_full_online": full_online,
        "dossiers_received": received,
        "dossiers_received_direct": received - online - postal,
        "dossiers_received_online": online,
        "dossiers_received_postal": postal,
        "dossiers_resolved": resolved,
        "dossiers_resolved_early": early,
        "dossiers_resolved_on_time": resolved - late - early,
        "dossiers_resolved_late": late,
        "dossiers_digitised": digitised,
        "dossiers_paid_online": paid,
    }


@dataclass(frozen=True)
class Flow:
    """How a demo draws a period's dossiers from those received: the share sent by post, and the
    ranges of the uniform shares resolved (of received), late (of resolved), early (of resolved
    on time or early), digitised (of resolved) and paid online (of received online)."""

    postal: float
    resolved: tuple[float, float]
    late: tuple[float, float]
    early: tuple[float, float]
    digitised: tuple[float, float]
    paid: tuple[float, float]


def drawn_counts(
    received, online, *, procedures, full_online, flow: Flow, uniform: Callable, whole: Callable
) -> dict:
    """:func:`one_stop_values` with the dossier flow drawn by ``flow``: the province demo draws
    one period at a time (``random.Random.uniform``, ``int``), the national one every commune's
    month at once (NumPy arrays); ``uniform(low, high)`` draws, ``whole`` truncates."""
    resolved = whole(received * uniform(*flow.resolved))
    late = whole(resolved * uniform(*flow.late))
    early = whole((resolved - late) * uniform(*flow.early))
    return one_stop_values(
        procedures=procedures,
        full_online=full_online,
        received=received,
        online=online,
        postal=whole(received * flow.postal),
        resolved=resolved,
        early=early,
        late=late,
        digitised=whole(resolved * uniform(*flow.digitised)),
        paid=whole(online * uniform(*flow.paid)),
    )
