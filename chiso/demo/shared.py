"""What the demo province and the national demo share: the provincial departments, the
one-stop indicators and how their monthly values follow from each other (the sums add up)."""

from __future__ import annotations

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
