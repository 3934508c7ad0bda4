"""The queries behind the endpoints: SQL (SQLAlchemy Core) and nothing else.

Each module turns a resource's filters into statements, built once per shape of the question
(`functools.cache`) and run through a `Reader` (api.database). A page is read in a fixed number
of statements, whatever its size: the page itself (related rows come inside it, as JSON built by
the database), its capped count, and one statement per filter that names actors or slugs.
"""
