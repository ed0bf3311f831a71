"""The staff workplace for the estate register.

Rows come from the *_visible_to selectors (through ScopedModelAdmin), so
community staff see only their communities, in lists, forms and autocompletes
alike. Every write goes through communities.services or communities.photos.
"""

from . import governance, problems, register  # noqa: F401  (registers the admins)
