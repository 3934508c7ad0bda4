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


class MentionRole(StrEnum):
    subject = "subject"  # the statement or event is about this actor
    target = "target"  # the actor is asked, pressed, criticized or acted upon
    mentioned = "mentioned"  # named in passing


class ProposalStatus(StrEnum):
    proposed = "proposed"  # made public, not yet negotiated
    under_negotiation = "under_negotiation"  # on the table: the parties are negotiating it
    agreed = "agreed"  # accepted by every party
    rejected = "rejected"  # refused by a party it needs
    withdrawn = "withdrawn"
    implemented = "implemented"


# What each word means, for the documentation (the OpenAPI schema describes every word).
DESCRIPTIONS: dict[type[StrEnum], dict[str, str]] = {
    ActorKind: {
        "person": "A named person.",
        "state": "A state or its government: Israel, the United States.",
        "organization": "An organization, agency or company.",
        "armed_group": "An armed group.",
        "political_party": "A political party.",
        "intergovernmental_body": "A body of states: the U.N. Security Council, the G7.",
        "media_outlet": "A newspaper, broadcaster or news agency.",
        "group": "An unnamed collective: Republicans, young voters, Gazans.",
        "anonymous_source": "An unnamed source the article quotes: a senior diplomat.",
    },
    DatePrecision: {
        "day": "One known day (or days, for an event that spans them).",
        "week": "A week, Monday to Sunday: last week.",
        "month": "A month, first to last day: in May.",
        "approximate": "A period the text only suggests: eight months ago, in a few weeks.",
        "unknown": "Undated: the text gives no time.",
    },
    ParticipantRole: {
        "host": "Received the others.",
        "visitor": "Came to the host.",
        "attendee": "Took part.",
        "speaker": "Spoke at it.",
        "audience": "Was spoken to.",
        "sponsor": "Put it forward (a resolution, a plan).",
        "voted_for": "Voted for it.",
        "voted_against": "Voted against it.",
        "abstained": "Abstained in the vote.",
        "voting_body": "The body that voted.",
        "mediator": "Mediated between the parties.",
        "negotiator": "Negotiated for a party.",
        "organizer": "Organized it.",
        "supporter": "Backed it.",
        "perpetrator": "Carried out an attack or a raid.",
        "target": "Was attacked or aimed at.",
        "victim": "Suffered it.",
        "subject": "It was about them.",
        "candidate": "Ran in it.",
        "reporter": "Reported on it.",
    },
    MentionRole: {
        "subject": "The statement or event is about this actor.",
        "target": "The actor is asked, pressed, criticized or acted upon.",
        "mentioned": "Named in passing.",
    },
    Stance: {
        "supports": "Backs it.",
        "opposes": "Is against it.",
        "conditional": "Would accept it on a condition (see `condition`).",
        "demands": "Asks for it.",
        "welcomes": "Greets it favourably without committing to it.",
        "abstains": "Declines to take a side (in a vote).",
        "rejects": "Refuses it outright.",
        "undecided": "Has not decided.",
    },
    StatementMode: {
        "direct": "The speaker's own words, quoted verbatim.",
        "reported": "An attributed claim or a paraphrase, in the article's words.",
    },
    TermKind: {
        "provision": "Part of what the proposal itself offers.",
        "condition": "A clause that governs how the provisions apply.",
        "assurance": "A guarantee offered by mediators or parties.",
        "demand": "Something a party asks for that the proposal does not give.",
    },
    ProposalStatus: {
        "proposed": "Made public, not yet negotiated.",
        "under_negotiation": "On the table: the parties are negotiating it.",
        "agreed": "Accepted by every party.",
        "rejected": "Refused by a party it needs.",
        "withdrawn": "Taken off the table.",
        "implemented": "Carried out.",
    },
}
