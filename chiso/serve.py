"""Start the dashboard with its heavy libraries imported while the server boots.

``streamlit run app.py`` imports pandas, Polars, DuckDB and Plotly only when the first visitor
arrives, which adds seconds to the first page. This launcher imports them on a background
thread while Streamlit starts its server, then hands over to Streamlit's own command line.
"""

from __future__ import annotations

import sys
import threading

from chiso.paths import ROOT


def _warm() -> None:
    import duckdb  # noqa: F401
    import pandas  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    import polars  # noqa: F401
    import pyarrow  # noqa: F401

    import chiso.charts
    import chiso.charts_analysis
    import chiso.findings
    import chiso.gaps
    import chiso.rankings_view
    import chiso.ui
    import chiso.views  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    threading.Thread(target=_warm, name="chiso-warm-imports", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
