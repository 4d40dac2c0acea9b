"""Settings of the benchmark servers (bench/_server.py): the product's settings, with one URL more in front
of the product's — the bare-insert baseline of the write targets (bench/_bench_urls.py)."""

from zhili.settings import *  # noqa: F403

ROOT_URLCONF = "_bench_urls"
