"""eventdb: a REST API over a structured, evidence-linked database of news events."""
