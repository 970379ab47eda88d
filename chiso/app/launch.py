"""``python -m chiso.app.launch run app.py [Streamlit options]``: ``streamlit run`` with the first
page's imports started at once (:mod:`chiso.app.warmup`), while the first reader's browser loads
Streamlit's front end. ``make run``, ``make serve`` and the browser tests start the app this way;
plain ``streamlit run app.py`` still works, the first page then imports everything itself."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    # Streamlit (and Plotly with it) on this thread first: Plotly's pandas check must not race the
    # warm-up's import of pandas.
    from streamlit.web import cli

    from chiso.app import warmup

    warmup.start()
    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
