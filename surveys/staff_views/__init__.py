"""The order menu's pages for office staff: campaigns (list, results, residents'
words and replies, paper entry, opening and closing, copies), owners' votes
(result, paper ballots, consents, opening and closing) and household slips.

Every object is fetched through its `*_visible_to` selector, so another
community's campaign looks missing (404); every write goes through a service,
whose Chinese ValidationError is shown on the form it came from.
"""

from .campaigns import (
    campaign_copy,
    campaign_list,
    campaign_results,
    campaign_results_export,
    campaign_status,
    campaign_word_reply,
    campaign_words,
)
from .paper import campaign_paper
from .slip_pages import slip_reissue, slips
from .votes import vote_figures, vote_list, vote_paper, vote_result, vote_status

__all__ = [
    "campaign_copy",
    "campaign_list",
    "campaign_paper",
    "campaign_results",
    "campaign_results_export",
    "campaign_status",
    "campaign_word_reply",
    "campaign_words",
    "slip_reissue",
    "slips",
    "vote_figures",
    "vote_list",
    "vote_paper",
    "vote_result",
    "vote_status",
]
