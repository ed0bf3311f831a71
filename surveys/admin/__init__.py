"""The staff workplace for the order menu (居民点单).

Rows come from the *_visible_to selectors (through ScopedModelAdmin), so
community staff see only their communities. Every write goes through
surveys.services; deletes through their delete services, which remove files.
The admin links to the staff pages (results, residents' words, paper entry,
vote results, household slips) rather than repeating them.
"""

# Imported in the order the admin index lists them.
from . import menu  # noqa: F401, I001
from . import campaigns  # noqa: F401
from . import records  # noqa: F401
from . import votes  # noqa: F401
from . import meetings  # noqa: F401
