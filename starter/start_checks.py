"""What a worker (and `up`) checks before it starts, so that a setting that cannot work ends
it at once with the variable named (exit 5), not each journey's activity, retried, later."""

from __future__ import annotations

import tempfile

from activities.policy import read_policy
from journey.policy import PolicyError
from journey.settings import Settings
from starter.errors import SetupError


def data_dir_ready(settings: Settings) -> None:
    """Create the data directory, its owner's only (700), unless it exists; SetupError naming
    LOAN_JOURNEY_DATA_DIR when it cannot be created or written."""
    where = settings.data_dir
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as err:
        raise SetupError(f"LOAN_JOURNEY_DATA_DIR {where} cannot be created: "
                         f"{err.strerror or err}; set it to a directory this user can "
                         "create and write") from err
    try:  # a file written and gone: access() passes root where a write still fails
        tempfile.TemporaryFile(dir=where).close()
    except OSError as err:
        raise SetupError(f"LOAN_JOURNEY_DATA_DIR {where} is not writable: "
                         f"{err.strerror or err}; give it to the user the worker runs as, "
                         "or set another") from err


def policy_readable(settings: Settings) -> None:
    """Read and parse the lending policy as each journey's `load_policy` does; SetupError
    naming LOAN_JOURNEY_POLICY_FILE when it cannot be. A reader (role "documents") loads
    none."""
    if settings.worker_role == "documents":
        return
    try:
        read_policy(settings.policy_file)
    except (OSError, PolicyError) as err:
        raise SetupError(f"LOAN_JOURNEY_POLICY_FILE cannot be used: {err}; point it at a "
                         "readable policy file, or unset it for the default policy") from err


def check_start(settings: Settings) -> None:
    """The data directory and the policy file, before any server or worker starts."""
    data_dir_ready(settings)
    policy_readable(settings)
