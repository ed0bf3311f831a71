"""Writes of the order menu. Admin, API, pages, commands and the demo seed all
call these; each takes the actor and checks it (a Resident for a household's
own answers and ballots, a user or baitang.roles.SYSTEM otherwise)."""

from .campaigns import *  # noqa: F403
from .deletes import ROW_DELETES, row_delete  # noqa: F401
from .meetings import *  # noqa: F403
from .responses import *  # noqa: F403
from .votes import *  # noqa: F403
