import json


def test_api_lists_are_filtered_and_paginated(world, client_for):
    client = client_for("market_staff")
    data = client.get("/api/core/orgunits/", {"kind": "district_gov"}).json()
    assert data["count"] == 8 and all(r["kind"] == "district_gov" for r in data["results"])
    assert "next" in data


def test_api_errors_are_chinese_json_naming_the_field(world, client_for):
    client = client_for("office_admin")
    response = client.post(
        "/api/core/regions/",
        json.dumps({"code": "990102", "name": "重复", "level": "county"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "code" in response.json()["errors"]
    response = client.post(
        "/api/core/regions/",
        json.dumps({"code": "990188", "name": "环", "level": "nope"}),
        content_type="application/json",
    )
    assert response.status_code == 400 and "level" in response.json()["errors"]


def test_api_create_goes_through_the_service_and_logs(world, client_for):
    from qcity.core import audit
    from qcity.core.models import OrgUnit

    client = client_for("office_admin")
    response = client.post(
        "/api/core/orgunits/",
        json.dumps({"name": "示例市接口新单位", "kind": "department", "region": world.city.pk}),
        content_type="application/json",
    )
    assert response.status_code == 201
    unit = OrgUnit.objects.get(name="示例市接口新单位")
    # the log row of this unit (content type and id), written by the service as the caller
    (log,) = audit.history(unit).filter(action="create")
    assert log.actor == world.user("office_admin") and log.after["name"] == "示例市接口新单位"
    duplicate = client.post(
        "/api/core/orgunits/",
        json.dumps({"name": "示例市接口新单位", "kind": "department", "region": world.city.pk}),
        content_type="application/json",
    )
    assert duplicate.status_code == 400 and "同名单位" in json.dumps(
        duplicate.json(), ensure_ascii=False
    )


def test_token_auth_and_schema(world, client_for):
    from django.test import Client

    from qcity.core import tokens

    _token, key = tokens.issue(world.user("auditor"))
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/core/regions/").status_code == 200
    assert (
        client.post(
            "/api/core/regions/", {"code": "990177", "name": "x", "level": "county"}
        ).status_code
        == 403
    )
    schema = client_for("auditor").get("/api/schema/")
    assert schema.status_code == 200 and b"/api/core/orgunits/" in schema.content
