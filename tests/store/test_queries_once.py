"""The few published figures and doubt flags of a file are read once per read-only connection
(every file swap opens a new one); a connection that may be written reads them every time, so a
figure written through it is seen at once."""

from __future__ import annotations

from chiso.store import queries


def _stat_values(con) -> list[float]:
    stats = queries.published_stats(con, index="PAR", year=2024, peer_group="districts", province="Tỉnh Mẫu")
    return stats.get_column("value").to_list()


def test_a_figure_written_through_a_writable_connection_is_read_at_once(fixture_db):
    with queries.connect(fixture_db, read_only=False) as con:
        before = _stat_values(con)
        con.execute(
            "INSERT INTO published_stats VALUES "
            "('Tỉnh Mẫu', 'districts', 'PAR', NULL, 2024, 'mean', 81.25, 100, NULL, 'bình quân 81,25')"
        )
        assert _stat_values(con) == [*before, 81.25]


def test_a_read_only_connection_reads_the_file_it_opened(fixture_db):
    with queries.connect(fixture_db) as con:
        first = _stat_values(con)
        assert _stat_values(con) == first
    with queries.connect(fixture_db, read_only=False) as con:
        con.execute(
            "INSERT INTO published_stats VALUES "
            "('Tỉnh Mẫu', 'districts', 'PAR', NULL, 2024, 'median', 80.5, 100, NULL, 'trung vị 80,5')"
        )
    with queries.connect(fixture_db) as con:  # a new connection: the file as it is now
        assert _stat_values(con) == [*first, 80.5]


def test_a_read_only_connection_reads_the_published_figures_once(fixture_db, monkeypatch):
    """Every rankings page asks for its table's published figures: one query per connection, then
    Polars (a query cost ≈ 2–3 ms at national scale even when it found nothing)."""
    reads: list[str] = []
    frame = queries._frame
    monkeypatch.setattr(
        queries, "_frame", lambda con, sql, **params: reads.append(sql) or frame(con, sql, **params)
    )
    with queries.connect(fixture_db) as con:
        for _ in range(3):
            _stat_values(con)
            queries.flagged(con)
    assert len(reads) == 2  # the figures once, the flags once
