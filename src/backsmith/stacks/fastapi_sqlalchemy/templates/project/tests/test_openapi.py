"""The OpenAPI document tells the truth about errors."""

from fastapi import FastAPI
from httpx import AsyncClient

from app.core.errors import PROBLEM_JSON


async def test_openapi_documents_problem_details(client: AsyncClient, app: FastAPI) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "401" in responses or path == "/auth/register", (method, path)
            for status, answer in responses.items():
                if status.startswith(("4", "5")):
                    assert list(answer["content"]) == [PROBLEM_JSON], (method, path, status)
            if "requestBody" in operation:
                assert {"400", "422"} <= set(responses), (method, path)
    assert app.openapi() is app.openapi()  # built once, then served from the cache
