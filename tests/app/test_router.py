"""The router leans on one private Streamlit attribute; this fails loudly the day it changes.

``chiso.app.ui.ensure_router`` switches off Streamlit's legacy ``pages/`` mode by setting
``PagesManager.uses_pages_directory`` to False: with a ``pages/`` folder beside ``app.py`` (a
user-fixed layout), the first request of a fresh server to a page URL would otherwise run the page
without ``st.navigation`` (wrong titles, an extra 'app' entry). Streamlit has no public switch for it.
"""

import inspect

from streamlit.runtime import pages_manager
from streamlit.runtime.scriptrunner import script_runner


def test_the_private_flag_the_router_flips_still_exists():
    assert "uses_pages_directory" in vars(pages_manager.PagesManager), (
        "Streamlit renamed PagesManager.uses_pages_directory: review chiso.app.ui.ensure_router"
    )


def test_the_flag_still_chooses_the_legacy_pages_mode():
    source = inspect.getsource(script_runner)
    assert "PagesManager.uses_pages_directory" in source, (
        "Streamlit no longer reads uses_pages_directory to pick its legacy pages/ mode: "
        "review chiso.app.ui.ensure_router (it may no longer be needed)"
    )


def test_the_router_sets_the_flag_it_checks():
    from chiso.app import ui

    source = inspect.getsource(ui.ensure_router)
    assert "PagesManager.uses_pages_directory = False" in source
