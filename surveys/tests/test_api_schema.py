"""The OpenAPI schema describes the order-menu API as it answers: nullable
fields marked, cursor pages for the big tables, the status actions' errors,
and a reply's answer that can never be "pending"."""

from baitang.tests.test_api_schema import openapi


def test_fields_that_can_be_empty_are_nullable():
    components = openapi()["components"]["schemas"]

    assert components["Campaign"]["properties"]["estate"]["nullable"] is True
    assert components["Vote"]["properties"]["result"]["nullable"] is True
    assert components["MenuItem"]["properties"]["picture"]["nullable"] is True
    reply = components["Reply"]["properties"]
    assert reply["resident_text"]["nullable"] is True
    assert reply["resident_photo"]["nullable"] is True


def test_the_big_tables_page_by_cursor():
    components = openapi()["components"]["schemas"]

    for name in ("Response", "Reply", "Ballot"):
        page = components[f"Paginated{name}List"]
        assert set(page["properties"]) == {"next", "previous", "results"}, name
    assert "count" in components["PaginatedCampaignList"]["properties"]


def test_status_actions_and_replies_document_their_errors():
    schema = openapi()
    paths = schema["paths"]

    for path in ("/api/v1/campaigns/{id}/status/", "/api/v1/votes/{id}/status/"):
        assert {"200", "400", "403", "404", "415"} <= set(
            paths[path]["post"]["responses"]
        )
    reply = paths["/api/v1/replies/{id}/"]
    assert set(reply) >= {"get", "patch"} and not {"put", "delete"} & set(reply)
    answers = schema["components"]["schemas"]["ReplyAnswerEnum"]["enum"]
    assert answers == ["accepted", "later", "not_feasible"]
