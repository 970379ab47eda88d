"""Old import path of the per-page views, kept so existing callers keep working: each page's view
now lives in its own module (``chiso.views.trends``, ``components``, ``profile``, ``compare``,
``why``, ``rankings``), shared helpers in ``chiso.views.page``."""

from chiso.views.compare import (  # noqa: F401
    compare_figure,
    compare_indices_sources,
    compare_indices_table,
    compare_name,
    compare_sources,
    compare_table,
)
from chiso.views.components import gaps_figure, gaps_name, gaps_sources, gaps_table  # noqa: F401
from chiso.views.page import file_name, scope_text, titled, unit_name  # noqa: F401
from chiso.views.profile import (  # noqa: F401
    extremes_sources,
    extremes_table,
    profile_figure,
    profile_name,
    profile_sources,
    profile_table,
)
from chiso.views.rankings import rankings_sources  # noqa: F401
from chiso.views.trends import TREND_EXPORT, trends_figure, trends_name, trends_sources, trends_table  # noqa: F401
from chiso.views.why import (  # noqa: F401
    movers_sources,
    movers_table,
    why_figure,
    why_name,
    why_sources,
    why_split,
    why_table,
)
