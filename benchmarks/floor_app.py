"""The floor: a bare Streamlit app rendering one 19-row table and one Plotly bar chart.

benchmarks/run.py starts it beside Chỉ số in the same run; its cold start (server start to the
first rendered table and chart in Chromium) is what this stack costs on the machine, before any
of the project's code. Deliberately nothing else: no imports of the project, no caching.
"""

import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
st.header("Floor")
units = [f"Sở {n:02d}" for n in range(1, 20)]
scores = [round(95 - 1.3 * n, 2) for n in range(19)]
st.dataframe({"unit": units, "score": scores}, hide_index=True)
st.plotly_chart(go.Figure(go.Bar(x=scores, y=units, orientation="h")))
