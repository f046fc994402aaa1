"""Upload page: add article files to the corpus.

In: many files at once through ``st.file_uploader`` (.txt .md .html .htm, or .zip of them),
subject to the settings (``upload_enabled``, ``upload_requires_login``, size and count limits).
Out: the files go through ``ingest.ingest_uploads`` into the store (one transaction per batch);
a progress bar while the batch runs; a per-file result table (added / updated / duplicate /
rejected with the reason in plain words). The store version bumps, so every page shows the new
articles on its next run, and they survive a restart (the store is a file).

Uploaded content is never rendered: names, titles and reasons are shown as table text.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components import loaders, queries, settings, widgets

K_FILES = "upload_files"  # the file_uploader's key (tests drive it by this key)
K_DONE = "_upload_done_ids"  # file ids already ingested in this session (no double work on reruns)
K_RESULTS = "_upload_results"  # the last batch's results, shown until the next batch
ACCEPTED = ["txt", "md", "html", "htm", "zip"]
# Plain words (the table is drawn on a canvas where emoji may lack a font).
STATUS_LABELS = {"added": "added", "updated": "updated (replaced an older copy)",
                 "duplicate": "duplicate (already in the corpus)", "rejected": "rejected"}


def _logged_in() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except Exception:  # no authentication configured on this server
        return False


def _results_frame(results) -> pd.DataFrame:
    return pd.DataFrame(
        [{"file": r.name, "result": STATUS_LABELS.get(r.status, r.status),
          "reason": r.reason or "", "title": r.title or "",
          "link": widgets.article_url(r.article_id) if r.article_id else None,
          "status": r.status}
         for r in results],
        columns=["file", "result", "reason", "title", "link", "status"])


def _show_results(frame: pd.DataFrame) -> None:
    counts = frame["status"].value_counts()
    cols = st.columns(4)
    for col, (status, label) in zip(cols, [("added", "Added"), ("updated", "Updated"),
                                           ("duplicate", "Already in the corpus"),
                                           ("rejected", "Rejected")]):
        col.metric(label, int(counts.get(status, 0)))
    shown = frame.drop(columns=["status"])
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_config={
            "file": st.column_config.TextColumn("File", width="medium"),
            "result": st.column_config.TextColumn("Result", width="small"),
            "reason": st.column_config.TextColumn("Reason", width="large"),
            "title": st.column_config.TextColumn("Title", width="large"),
            "link": st.column_config.LinkColumn("Read", display_text="Open ↗", width="small"),
        })
    widgets.csv_download(shown, "newsroom-lens-upload-results.csv",
                         "Download these results (CSV)", key="upload_csv")


store = loaders.startup()

st.title("Upload", anchor=False)
st.markdown("Add article files to the corpus: the archive's `.txt`/`.md` files, saved web "
            "pages (`.html`, `.htm`), or a `.zip` of them. A file already in the corpus is "
            "recognised and not added twice.")

if not settings.get("upload_enabled"):
    widgets.empty_state("Uploads are turned off on this server.",
                        "An administrator can turn them on with the setting "
                        "NEWSROOM_LENS_UPLOAD_ENABLED=true.", icon=":material/block:")
    st.stop()
if settings.get("upload_requires_login") and not _logged_in():
    widgets.empty_state("Log in to upload files.",
                        "This server accepts uploads from logged-in users only; reading needs "
                        "no login.", icon=":material/lock:")
    try:
        if st.button("Log in", icon=":material/login:"):
            st.login()
    except Exception:
        st.caption("No login provider is configured on this server; ask an administrator.")
    st.stop()

limits = (f"Up to {settings.get('max_batch_files'):,} files and "
          f"{settings.get('max_batch_mb'):g} MB per batch; each article file up to "
          f"{settings.get('max_file_mb'):g} MB.")
files = st.file_uploader("Article files", type=ACCEPTED, accept_multiple_files=True, key=K_FILES,
                         help=limits)
st.caption(limits + " Files are read as text only; nothing in them is run or displayed as HTML.")

done: set = st.session_state.setdefault(K_DONE, set())
new = [f for f in (files or []) if f.file_id not in done]
if new:
    from components import ingest

    batch = [(f.name, f.getvalue()) for f in new]
    bar = st.progress(0.0, text=f"Reading {len(batch):,} file(s)…")

    def progress(n_done: int, total: int, message: str = "") -> None:
        fraction = min(max(n_done / total, 0.0), 1.0) if total else 0.0
        text = f"Processed {n_done:,} of {total:,}"
        bar.progress(fraction, text=f"{text} — {widgets.md_escape(message)}" if message else text)

    try:
        results = ingest.ingest_uploads(store, batch, progress=progress)
    except Exception as exc:  # the store refused the batch as a whole (disk full, locked...)
        bar.empty()
        st.error("The batch could not be saved, nothing was added: "
                 f"{widgets.md_escape(str(exc))}",
                 icon=":material/error:")
        st.stop()
    bar.empty()
    done.update(f.file_id for f in new)
    st.session_state[K_RESULTS] = _results_frame(results)

frame = st.session_state.get(K_RESULTS)
if frame is not None and not frame.empty:
    st.subheader("Last batch", anchor=False)
    n_new = int(frame["status"].isin(["added", "updated"]).sum())
    n_bad = int((frame["status"] == "rejected").sum())
    if n_new:
        st.success(f"{n_new:,} article(s) are now in the corpus and show on every page.",
                   icon=":material/check_circle:")
        st.page_link("components/pages/overview.py", label="See them on the Overview",
                     icon=":material/dashboard:")
    if n_bad:
        st.warning(f"{n_bad:,} file(s) could not be used; the Reason column says why.",
                   icon=":material/error:")
    _show_results(frame)
elif not files:
    held = loaders.load("corpus_summary", queries.NO_FILTERS)["articles"]
    st.caption(f"The corpus holds {held:,} article(s).")
