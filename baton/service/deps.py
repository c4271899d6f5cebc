"""What every route needs: the open service, the executor and the calling tenant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials

from baton.service.auth import API_KEY_HEADER, BEARER, presented_key

if TYPE_CHECKING:
    from baton.service.context import ServiceContext
    from baton.service.executor import RunExecutor


@dataclass(frozen=True)
class Caller:
    """The service as one request sees it."""

    ctx: ServiceContext
    executor: RunExecutor
    tenant: str


async def caller(
    request: Request,
    _bearer: HTTPAuthorizationCredentials | None = Security(BEARER),  # noqa: B008
    _api_key: str | None = Security(API_KEY_HEADER),
) -> Caller:
    """The caller of ``request`` (401 without a known key when keys are configured)."""
    ctx: ServiceContext = request.app.state.ctx
    tenant = ctx.keyring.tenant_for(presented_key(request))
    return Caller(ctx, request.app.state.executor, tenant)
