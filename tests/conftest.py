import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PCAPS = REPO / "pcaps"
sys.path.insert(0, str(REPO / "pcaps"))


def spec_dir() -> Path:
    """shared/spec: beside the checkout (CI, developers) or named by env."""
    candidates = [os.environ.get("DISSECTGEN_SPEC_DIR"), REPO.parent / "shared" / "spec", "/work/shared/spec"]
    for c in candidates:
        if c and (Path(c) / "req_func.tsv").is_file():
            return Path(c)
    raise AssertionError(
        "shared/spec not found beside the checkout; set DISSECTGEN_SPEC_DIR to the folder holding req_func.tsv"
    )


@pytest.fixture(scope="session")
def spec():
    return spec_dir()
