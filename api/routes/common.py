"""What every resource router shares: the session, the parameter check and the error docs."""

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from api.db import get_session
from api.errors import ERROR_RESPONSES
from api.params import refuse_unknown_parameters

SessionDep = Annotated[Session, Depends(get_session)]


def resource_router(tag: str) -> APIRouter:
    return APIRouter(
        tags=[tag],
        dependencies=[Depends(refuse_unknown_parameters)],
        responses=ERROR_RESPONSES,
    )
