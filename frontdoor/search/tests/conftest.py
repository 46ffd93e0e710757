import pytest

from frontdoor.search import backend


@pytest.fixture(autouse=True)
def index_dir(tmp_path, settings):
    """Each test gets its own index folder, so runs in parallel never share one."""
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    yield settings.SEARCH_INDEX_DIR
    backend._shared.clear()
