"""Every table, as SQLAlchemy Core: the same definitions run on SQLite and PostgreSQL.

Times are UNIX seconds (``Float``): portable, and comparisons such as a stale
heartbeat are plain arithmetic on both databases. Ids are uuid4 hex strings.
Schema changes: ``metadata.create_all`` creates missing tables; the version
in ``meta`` is checked at start-up so an older server never runs on a newer schema.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = ["metadata", "SCHEMA_VERSION", "meta", "organisations", "users", "jobs", "job_routes", "artifacts",
           "job_files", "samples", "shares", "feedback", "quotes", "inspirations", "pattern_uploads", "styles",
           "proposals", "proposal_comments"]

SCHEMA_VERSION = 1
metadata = MetaData()

meta = Table("meta", metadata, Column("key", String(64), primary_key=True), Column("value", Text, nullable=False))

organisations = Table(
    "organisations", metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
)

users = Table(
    "users", metadata,
    Column("id", String(32), primary_key=True),
    Column("org_id", String(32), ForeignKey("organisations.id"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),  # sha256 of the API key
    Column("key_prefix", String(16), nullable=False),  # shown to admins to tell keys apart
    Column("created_at", Float, nullable=False),
    Column("disabled_at", Float),
)

jobs = Table(
    "jobs", metadata,
    Column("id", String(32), primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("request", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # queued running done failed cancelled
    Column("stage", String(32)),
    Column("progress", Float, nullable=False, default=0.0),
    Column("error", Text),
    Column("summary", JSON),
    Column("attempts", Integer, nullable=False, default=0),
    Column("max_attempts", Integer, nullable=False),
    Column("timeout_s", Float, nullable=False),
    Column("owner", String(128)),  # the worker holding the claim
    Column("heartbeat_at", Float),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float),
    Column("finished_at", Float),
    Column("updated_at", Float, nullable=False),
)
Index("jobs_by_status", jobs.c.status, jobs.c.created_at)
Index("jobs_by_hash", jobs.c.content_hash)

# The Celery backend's record of each job's delivery (the embedded backend writes none): a table of its own, so
# a database made before it gains it by create_all.
job_routes = Table(
    "job_routes", metadata,
    Column("job_id", String(32), ForeignKey("jobs.id"), primary_key=True),
    Column("queue", String(16), nullable=False),  # drape | render
    Column("priority", String(16), nullable=False),  # interactive | batch
    Column("dispatched_at", Float),  # the last message sent for it; NULL: none got through to the broker
    Column("dispatches", Integer, nullable=False, default=0),
    Column("history", JSON, nullable=False),  # [{"at", "event", "detail"}]: sends, claims, take-overs, retries
)
Index("job_routes_by_queue", job_routes.c.queue, job_routes.c.dispatched_at)

artifacts = Table(
    "artifacts", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
)

job_files = Table(
    "job_files", metadata,
    Column("job_id", String(32), ForeignKey("jobs.id"), primary_key=True),
    Column("name", String(128), primary_key=True),  # the file name the pipeline gave it
    Column("sha256", String(64), ForeignKey("artifacts.sha256"), nullable=False),
)

samples = Table(
    "samples", metadata,
    Column("id", String(32), primary_key=True),
    Column("org_id", String(32), ForeignKey("organisations.id"), nullable=False),
    Column("owner_id", String(32), ForeignKey("users.id"), nullable=False),
    Column("family_id", String(32), nullable=False),  # the first sample of its revision history
    Column("parent_id", String(32)),
    Column("revision", Integer, nullable=False),
    Column("job_id", String(32), ForeignKey("jobs.id"), nullable=False),
    Column("request", JSON, nullable=False),
    Column("pattern", String(64), nullable=False),
    Column("size", String(32), nullable=False),
    Column("fabric", String(64), nullable=False),
    Column("title", String(200), nullable=False, default=""),
    Column("client", String(200), nullable=False, default=""),
    Column("tags", JSON, nullable=False),
    Column("colours", JSON, nullable=False),
    Column("approval", String(24), nullable=False, default="pending"),
    Column("cancelled", Boolean, nullable=False, default=False),
    Column("created_at", Float, nullable=False),
    Column("deleted_at", Float),
)
Index("samples_by_org", samples.c.org_id, samples.c.created_at)
Index("samples_by_family", samples.c.family_id, samples.c.revision)

shares = Table(
    "shares", metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("org_id", String(32), ForeignKey("organisations.id"), nullable=False),
    Column("sample_id", String(32), ForeignKey("samples.id"), nullable=False),
    Column("colorways", JSON, nullable=False),  # sample ids the client may switch between, the first is shown
    Column("language", String(8)),
    Column("created_by", String(32), ForeignKey("users.id"), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("revoked_at", Float),
)

feedback = Table(
    "feedback", metadata,
    Column("id", String(32), primary_key=True),
    Column("sample_id", String(32), ForeignKey("samples.id"), nullable=False),
    Column("share_id", String(32), ForeignKey("shares.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # approve | comment | changes
    Column("author", String(100), nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("created_at", Float, nullable=False),
)
Index("feedback_by_sample", feedback.c.sample_id, feedback.c.created_at)

quotes = Table(
    "quotes", metadata,
    Column("id", String(32), primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("org_id", String(32), ForeignKey("organisations.id"), nullable=False),
    Column("sample_id", String(32), ForeignKey("samples.id"), nullable=False),
    Column("created_by", String(32), ForeignKey("users.id"), nullable=False),
    Column("body", JSON, nullable=False),  # the priced quote (lines, totals, currency, language)
    Column("sha256", String(64), ForeignKey("artifacts.sha256"), nullable=False),  # the PDF
    Column("created_at", Float, nullable=False),
)

inspirations = Table(
    "inspirations", metadata,
    Column("id", String(32), primary_key=True),
    Column("org_id", String(32), ForeignKey("organisations.id"), nullable=False),
    Column("sample_id", String(32), ForeignKey("samples.id")),
    Column("created_by", String(32), ForeignKey("users.id"), nullable=False),
    Column("title", String(200), nullable=False, default=""),
    Column("media_type", String(32), nullable=False),
    Column("sha256", String(64), ForeignKey("artifacts.sha256"), nullable=False),
    Column("palette", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
)

pattern_uploads = Table(
    "pattern_uploads", metadata,
    Column("id", String(32), primary_key=True),
    Column("org_id", String(32), ForeignKey("organisations.id"), nullable=False),
    Column("created_by", String(32), ForeignKey("users.id"), nullable=False),
    Column("name", String(128), nullable=False),  # the uploaded file's name, made safe (display only)
    Column("kind", String(16), nullable=False),  # toml | garmentcode | dxf | svg
    Column("sha256", String(64), ForeignKey("artifacts.sha256"), nullable=False),
    Column("sidecar_sha256", String(64), ForeignKey("artifacts.sha256")),
    Column("units", String(8)),  # DXF units given at upload, else None (detected)
    Column("fixed_size", Boolean, nullable=False),
    Column("pieces", JSON, nullable=False),
    Column("body", JSON),  # the body a fixed-size pattern was drafted for, from its sidecar
    Column("size", String(32)),  # the size of a graded file that is used
    Column("created_at", Float, nullable=False),
)
Index("pattern_uploads_by_org", pattern_uploads.c.org_id, pattern_uploads.c.created_at)

styles = Table(
    "styles", metadata,  # a sample family published with guardrails: clients customise it from its share links
    Column("id", String(32), primary_key=True),
    Column("org_id", String(32), ForeignKey("organisations.id"), nullable=False),
    Column("family_id", String(32), nullable=False),
    Column("sample_id", String(32), ForeignKey("samples.id"), nullable=False),  # the current revision
    Column("guardrails", JSON, nullable=False),  # garment3d.guardrails data, checked when published
    Column("created_by", String(32), ForeignKey("users.id"), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("withdrawn_at", Float),
)
Index("styles_by_family", styles.c.family_id, styles.c.org_id)

proposals = Table(
    "proposals", metadata,  # a client's change made through a share link: a new revision of the sample
    Column("id", String(32), primary_key=True),
    Column("org_id", String(32), ForeignKey("organisations.id"), nullable=False),
    Column("style_id", String(32), ForeignKey("styles.id"), nullable=False),
    Column("share_id", String(32), ForeignKey("shares.id"), nullable=False),
    Column("sample_id", String(32), ForeignKey("samples.id"), nullable=False),  # the new revision
    Column("base_sample_id", String(32), ForeignKey("samples.id"), nullable=False),  # the style it changes
    Column("kind", String(8), nullable=False),  # look (colour only: no drape) | shape | none
    Column("choice", JSON, nullable=False),  # the client's values: parameters, fabric, colorway, size
    Column("measurements", JSON),  # the client's own measurements (cm), for the designer's organisation only
    Column("author", String(100), nullable=False, default=""),
    Column("created_at", Float, nullable=False),
    Column("client_approved_at", Float),
    Column("accepted_at", Float),
    Column("accepted_by", String(32), ForeignKey("users.id")),
)
Index("proposals_by_share", proposals.c.share_id, proposals.c.created_at)
Index("proposals_by_style", proposals.c.style_id, proposals.c.created_at)

proposal_comments = Table(
    "proposal_comments", metadata,  # the designer's answers to a proposal (the client reads them on the link)
    Column("id", String(32), primary_key=True),
    Column("proposal_id", String(32), ForeignKey("proposals.id"), nullable=False),
    Column("author_id", String(32), ForeignKey("users.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)
Index("proposal_comments_by_proposal", proposal_comments.c.proposal_id, proposal_comments.c.created_at)
