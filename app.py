"""Newsroom Lens: the page registry (run with `streamlit run app.py`).

In: nothing. Out: the multipage app; each page is one module in components/pages/.
"""
import streamlit as st

st.set_page_config(page_title="Newsroom Lens", page_icon=":material/newspaper:", layout="wide")

PAGES = [
    st.Page("components/pages/overview.py", title="Overview", icon=":material/dashboard:",
            url_path="overview", default=True),
    st.Page("components/pages/article.py", title="Article", icon=":material/article:",
            url_path="article"),
    st.Page("components/pages/entities.py", title="Entities", icon=":material/group:",
            url_path="entities"),
    st.Page("components/pages/viewpoints.py", title="Viewpoints", icon=":material/format_quote:",
            url_path="viewpoints"),
    st.Page("components/pages/social.py", title="Social", icon=":material/forum:",
            url_path="social"),
    st.Page("components/pages/upload.py", title="Upload", icon=":material/upload:",
            url_path="upload"),
]

st.navigation(PAGES).run()
