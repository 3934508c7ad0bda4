from fastapi import Request, Response

from api import schemas
from api.models import Proposal, Term
from api.params import date_paging, fixed_paging, proposal_filters, slug_path, term_filters
from api.queries.filters import not_found
from api.queries.proposals import (
    PROPOSAL_FACETS,
    TERM_FACETS,
    proposal_detail,
    proposal_page,
    term_detail,
    term_page,
)
from api.responses import document_response
from api.routes.common import DatabaseDep, add_list_endpoints, detail_responses, resource_router

router = resource_router("proposals")

add_list_endpoints(
    router,
    "/proposals",
    name="proposals",
    page_model=schemas.ProposalPage,
    csv_example="slug,title,status,proposed_by.slug,date.start,phases,terms\r\n"
    "gaza-ceasefire-proposal,Three-part Gaza cease-fire and hostage-release proposal,"
    "under_negotiation,joe-biden,2024-05-31,Six-week cease-fire; Permanent cease-fire; "
    "Reconstruction,six-week-ceasefire; …\r\n",
    filters=proposal_filters,
    paging=date_paging,
    read=proposal_page,
    facets=list(PROPOSAL_FACETS),
    summary="Proposals on the table, each with its phases and terms in order",
)


@router.get(
    "/proposals/{slug}",
    response_model=schemas.Proposal,
    responses=detail_responses(),
    summary="One proposal with its phases and terms in order",
)
async def get_proposal(
    request: Request,
    db: DatabaseDep,
    slug: str = slug_path("The proposal's slug.", "gaza-ceasefire-proposal"),
) -> Response:
    found = await db.read(lambda reader: proposal_detail(reader, slug))
    if found is None:
        raise await db.read(
            lambda reader: not_found(reader, Proposal, slug, "proposal", "/proposals")
        )
    return document_response(request, found)


add_list_endpoints(
    router,
    "/terms",
    name="terms",
    page_model=schemas.TermPage,
    csv_example="slug,proposal.slug,phase.number,number,kind,title,text\r\n"
    "six-week-ceasefire,gaza-ceasefire-proposal,1,1,provision,Six-week cease-fire,"
    "a six-week cease-fire\r\n",
    filters=term_filters,
    paging=fixed_paging,
    read=term_page,
    facets=list(TERM_FACETS),
    summary="Terms of proposals: provisions, conditions, assurances and demands, in order",
)


@router.get(
    "/terms/{slug}",
    response_model=schemas.Term,
    responses=detail_responses(),
    summary="One term of a proposal",
)
async def get_term(
    request: Request,
    db: DatabaseDep,
    slug: str = slug_path("The term's slug.", "permanent-ceasefire"),
) -> Response:
    found = await db.read(lambda reader: term_detail(reader, slug))
    if found is None:
        raise await db.read(lambda reader: not_found(reader, Term, slug, "term", "/terms"))
    return document_response(request, found)
