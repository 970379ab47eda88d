"""Chỉ số: the router. Pages are registered here, in order; each page is thin."""

from chiso.app import warmup

warmup.wait()  # the launcher's imports (python -m chiso.app.launch) end before any page code runs

import streamlit as st  # noqa: E402

from chiso.app.ui import favicon, lang  # noqa: E402
from chiso.i18n import t  # noqa: E402

st.set_page_config(page_title="Chỉ số", page_icon=favicon(), layout="wide")

PAGES = [
    st.Page(
        "pages/rankings.py",
        title=t("nav.rankings", lang()),
        icon=":material/leaderboard:",
        url_path="home",  # served at the root; "/rankings" is the alias below
        default=True,
    ),
    st.Page(
        "pages/trends.py", title=t("nav.trends", lang()), icon=":material/trending_up:", url_path="trends"
    ),
    st.Page("pages/gaps.py", title=t("nav.gaps", lang()), icon=":material/grid_view:", url_path="gaps"),
    st.Page("pages/profile.py", title=t("nav.profile", lang()), icon=":material/badge:", url_path="profile"),
    st.Page(
        "pages/compare.py",
        title=t("nav.compare", lang()),
        icon=":material/compare_arrows:",
        url_path="compare",
    ),
    st.Page("pages/why.py", title=t("nav.why", lang()), icon=":material/swap_vert:", url_path="why"),
    st.Page(
        "pages/services.py", title=t("nav.services", lang()), icon=":material/computer:", url_path="services"
    ),
    st.Page("pages/data.py", title=t("nav.data", lang()), icon=":material/folder_open:", url_path="data"),
    st.Page("pages/about.py", title=t("nav.about", lang()), icon=":material/info:", url_path="about"),
]


def _rankings_alias() -> None:
    """``/rankings`` (the page's name, typed or kept from an older link): the rankings page at the
    root with the same query. Without it a fresh session opening ``/rankings`` could meet
    Streamlit's English "Page not found" (the default page is known only at the root)."""
    st.switch_page(PAGES[0], query_params=st.query_params.to_dict())


ALIASES = [
    st.Page(_rankings_alias, title=t("nav.rankings", lang()), url_path="rankings", visibility="hidden")
]

st.navigation(PAGES + ALIASES).run()
