"""The closed vocabularies of the data model.

They live in one place so that the database's CHECK constraints, the seed loader's validation,
the API's query parameters and the OpenAPI schema all agree on the same words.
"""

from enum import StrEnum


class ActorKind(StrEnum):
    person = "person"
    state = "state"  # a government or a state: "Israel", "the United States"
    organization = "organization"
    armed_group = "armed_group"
    political_party = "political_party"
    intergovernmental_body = "intergovernmental_body"
    media_outlet = "media_outlet"
    group = "group"  # an unnamed collective: "Republicans", "young voters", "Pessimists"
    anonymous_source = "anonymous_source"


class DatePrecision(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    approximate = "approximate"
    unknown = "unknown"  # the article does not date it: it has no start or end


class EventKind(StrEnum):
    meeting = "meeting"
    talks = "talks"
    vote = "vote"
    speech = "speech"
    press_remarks = "press_remarks"
    announcement = "announcement"
    trip = "trip"
    visit = "visit"
    raid = "raid"
    attack = "attack"
    war = "war"
    resignation = "resignation"
    debate = "debate"
    diplomatic_campaign = "diplomatic_campaign"
    report = "report"


class ParticipantRole(StrEnum):
    host = "host"
    visitor = "visitor"
    attendee = "attendee"
    speaker = "speaker"
    audience = "audience"
    sponsor = "sponsor"
    voted_for = "voted_for"
    voted_against = "voted_against"
    abstained = "abstained"
    voting_body = "voting_body"
    mediator = "mediator"
    negotiator = "negotiator"
    organizer = "organizer"
    supporter = "supporter"
    perpetrator = "perpetrator"
    target = "target"
    victim = "victim"
    subject = "subject"
    candidate = "candidate"
    reporter = "reporter"


class StatementMode(StrEnum):
    direct = "direct"  # verbatim words inside quotation marks
    reported = "reported"  # an attributed claim or a paraphrase, in the article's words


class TermKind(StrEnum):
    provision = "provision"  # part of what the proposal itself offers
    condition = "condition"  # a clause that governs how the provisions apply
    assurance = "assurance"  # a guarantee offered by mediators or parties
    demand = "demand"  # something a party asks for that the proposal does not give


class Stance(StrEnum):
    supports = "supports"
    opposes = "opposes"
    conditional = "conditional"
    demands = "demands"
    welcomes = "welcomes"
    abstains = "abstains"
    rejects = "rejects"
    undecided = "undecided"
