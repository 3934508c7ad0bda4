from typing import Annotated

from fastapi import Path, Query, Request, Response

from api import queries, schemas
from api.errors import NOT_FOUND_RESPONSE
from api.models import Proposal, Term
from api.pagination import paginate
from api.params import FormatParam, Paging, ProposalFilter
from api.responses import CSV_RESPONSE, render, render_page
from api.routes.common import SessionDep, resource_router
from api.vocabulary import TermKind

router = resource_router("proposals")


@router.get(
    "/proposals",
    response_model=schemas.Page[schemas.Proposal],
    responses=CSV_RESPONSE,
    summary="Proposals on the table, each with its phases and terms in order",
)
def list_proposals(
    request: Request, session: SessionDep, page: Paging, output_format: FormatParam = None
) -> Response:
    result = paginate(
        session, queries.proposals_query(), (Proposal.sort_date, Proposal.id), page, "date"
    )
    return render_page(request, result, page.limit, schemas.proposal, output_format)


@router.get(
    "/proposals/{slug}",
    response_model=schemas.Proposal,
    responses={**CSV_RESPONSE, **NOT_FOUND_RESPONSE},
    summary="One proposal with its phases and terms in order",
)
def get_proposal(
    request: Request,
    session: SessionDep,
    slug: Annotated[
        str, Path(description="The proposal's slug.", examples=["gaza-ceasefire-proposal"])
    ],
    output_format: FormatParam = None,
) -> Response:
    return render(request, schemas.proposal(queries.get_proposal(session, slug)), output_format)


@router.get(
    "/terms",
    response_model=schemas.Page[schemas.Term],
    responses=CSV_RESPONSE,
    summary="Terms of proposals: provisions, conditions, assurances and demands, in order",
)
def list_terms(
    request: Request,
    session: SessionDep,
    page: Paging,
    proposal: ProposalFilter = None,
    phase: Annotated[
        int | None, Query(ge=1, le=1000, description="Phase number.", examples=[1])
    ] = None,
    kind: Annotated[
        TermKind | None, Query(description="Kind of term.", examples=["provision"])
    ] = None,
    output_format: FormatParam = None,
) -> Response:
    query = queries.terms_query(session, proposal, phase, kind)
    result = paginate(session, query, (Term.proposal_id, Term.position, Term.id), page, "position")
    return render_page(request, result, page.limit, schemas.term, output_format)
