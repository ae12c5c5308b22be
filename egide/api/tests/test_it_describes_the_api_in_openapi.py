"""The OpenAPI document describes every operation (with its bearer auth and error shape); no docs
page is served, since django-ninja's would load Swagger UI from a CDN the CSP forbids."""

from __future__ import annotations

from django.test import Client

from egide.api.api import api


def test_it_lists_every_operation_with_its_security(api_client: Client) -> None:
    response = api_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    registered = {
        (method.lower(), f"/api/v1{path}")
        for router_prefix, router in api._routers
        for path, path_view in router.path_operations.items()
        for operation in path_view.operations
        for method in operation.methods
    }
    described = {(method, path) for path, operations in document["paths"].items() for method in operations}
    assert described == registered
    assert len(described) == 9
    for operations in document["paths"].values():
        for operation in operations.values():
            assert operation["security"]
            assert "404" in operation["responses"]
    upload = document["paths"]["/api/v1/patients/{patient_id}/documents"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "ErrorOut" in document["components"]["schemas"]


def test_it_serves_no_docs_page(api_client: Client) -> None:
    assert api_client.get("/api/v1/docs").status_code == 404
