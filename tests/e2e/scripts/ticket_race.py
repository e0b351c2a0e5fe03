"""Race 50 clients on one versioned ticket of a generated help desk project.

Run inside the generated project (`examples/helpdesk.md`) with DATABASE_URL set to a
migrated database. The clients run concurrently in one event loop against the app in
process, each request in its own session and connection, so their transactions
interleave at the database exactly as separate workers' would. Prints the outcome as JSON.

1. Same ETag: every client PATCHes the same ticket with the same If-Match.
2. Retry until won: every client adds one vote (read, +1, PATCH with the ETag it read),
   and on a 412 reads again and retries.
"""

import asyncio
import json
import sys
from collections import Counter
from collections.abc import Sequence
from typing import Any

from app.auth import service as auth
from app.main import create_app
from httpx import ASGITransport, AsyncClient, Response

CLIENTS = 50
PASSWORD = "race-condition-password"
TICKET = {"title": "race", "body": "Two agents at once.", "opened_on": "2030-01-01"}


async def _agent_headers(app: Any, client: AsyncClient) -> dict[str, str]:
    async with app.state.sessionmaker() as session, session.begin():
        # Help desk tickets belong to tenants: the agent works in one.
        await auth.create_user(session, "agent@example.com", PASSWORD, ["agent"], "acme")
    token = await client.post(
        "/auth/token", data={"username": "agent@example.com", "password": PASSWORD}
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _lost_at_database(responses: Sequence[Response]) -> int:
    """412s from the conditional UPDATE (the writer passed the If-Match check, then lost)."""
    return sum(
        r.status_code == 412 and r.json()["detail"].endswith("; read it again.") for r in responses
    )


async def _same_etag(client: AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    created = await client.post("/tickets", json=TICKET, headers=headers)
    assert created.status_code == 201, created.text
    url = f"/tickets/{created.json()['id']}"
    # Open the pool's connections first, so the writers start together.
    await asyncio.gather(*(client.get(url, headers=headers) for _ in range(CLIENTS)))
    write = {**headers, "If-Match": created.headers["etag"]}
    responses = await asyncio.gather(
        *(client.patch(url, json={"title": f"client {i}"}, headers=write) for i in range(CLIENTS))
    )
    final = (await client.get(url, headers=headers)).json()
    winners = [r.json()["title"] for r in responses if r.status_code == 200]
    return {
        "statuses": dict(Counter(r.status_code for r in responses)),
        "lost_at_database": _lost_at_database(responses),
        "winner_titles": winners,
        "final_title": final["title"],
        "final_version": final["version"],
    }


async def _retry_until_won(client: AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    created = await client.post("/tickets", json=TICKET, headers=headers)
    assert created.status_code == 201, created.text
    url = f"/tickets/{created.json()['id']}"

    refused: list[Response] = []

    async def vote() -> int:
        """One vote, retried on 412 until it lands; the version it made."""
        while True:
            read = await client.get(url, headers=headers)
            votes = read.json()["votes"] + 1
            write = {**headers, "If-Match": read.headers["etag"]}
            response = await client.patch(url, json={"votes": votes}, headers=write)
            if response.status_code == 200:
                return int(response.json()["version"])
            assert response.status_code == 412, response.text
            refused.append(response)

    versions = await asyncio.gather(*(vote() for _ in range(CLIENTS)))
    final = (await client.get(url, headers=headers)).json()
    return {
        "winning_versions": sorted(versions),
        "retries": len(refused),
        "lost_at_database": _lost_at_database(refused),
        "final_votes": final["votes"],
        "final_version": final["version"],
    }


async def main() -> None:
    app = create_app()
    try:
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://race") as client:
            headers = await _agent_headers(app, client)
            outcome = {
                "same_etag": await _same_etag(client, headers),
                "retry_until_won": await _retry_until_won(client, headers),
            }
    finally:
        await app.state.engine.dispose()
    json.dump(outcome, sys.stdout)


if __name__ == "__main__":
    asyncio.run(main())
