"""The Streamlit app's code (pages lay out what :mod:`chiso.views` builds).

Polars runs each query on one worker thread in the app process. A page's frames are small (tens
to a few thousand rows) and a server runs several readers' pages at once, so a second worker only
waited on the first: under the load test (25 readers, 150 page runs) the two workers used ≈ 1,8 s
of CPU against ≈ 1,0 s for one, the same work done. Set before Polars is first imported (the
launcher, app.py and the pages all import this package first); an explicit setting wins.

Polars' group-by also skips its partitioned algorithm (``POLARS_NO_PARTITION``): built for several
workers, it is chosen for frames of 1.000 rows and more, and on frames of 1.000–2.000 rows (a
province's count rows, a table's components) it cost ≈ 0,35 ms more per group-by on one worker
(0,15 → 0,50 ms; 0,14 ms with the setting). Read by Polars at each group-by; Polars only looks
whether the variable exists, so any value (even "0") turns the partitioned group-by off.
"""

import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")
os.environ.setdefault("POLARS_NO_PARTITION", "1")
