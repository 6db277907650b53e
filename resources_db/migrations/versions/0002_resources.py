"""The resource directory: HSDS 3.0 tables, outreach additions and the gazetteer.

Revision ID: 0002_resources
Revises: 0001_core
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from resources_db.models.base import UtcDateTime

revision: str = "0002_resources"
down_revision: str | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 64


def _id() -> sa.Column[str]:
    return sa.Column("id", sa.String(ID), nullable=False)


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns))


def _sparse_index(table: str, column: str) -> None:
    """An index over the non-NULL rows of a mostly-NULL link (see the models' docstring)."""
    condition = sa.text(f"{column} IS NOT NULL")
    op.create_index(
        f"ix_{table}_{column}",
        table,
        [column],
        sqlite_where=condition,
        postgresql_where=condition,
    )


def upgrade() -> None:
    op.create_table(
        "organization",
        _id(),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("alternate_name", sa.String(255)),
        sa.Column("description", sa.Text),
        sa.Column("email", sa.String(255)),
        sa.Column("website", sa.String(500)),
        sa.Column("demo", sa.Boolean, server_default=sa.false(), nullable=False),
        sa.Column("source", sa.String(120)),
        sa.Column("imported_at", UtcDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_organization"),
    )
    op.create_table(
        "location",
        _id(),
        sa.Column(
            "organization_id",
            sa.String(ID),
            sa.ForeignKey(
                "organization.id",
                ondelete="SET NULL",
                name="fk_location_organization_id_organization",
            ),
        ),
        sa.Column("location_type", sa.String(16), nullable=False),
        sa.Column("url", sa.String(500)),
        sa.Column("name", sa.String(255)),
        sa.Column("alternate_name", sa.String(255)),
        sa.Column("description", sa.Text),
        sa.Column("transportation", sa.Text),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("external_identifier", sa.String(255)),
        sa.Column("external_identifier_type", sa.String(120)),
        sa.Column("confidential", sa.Boolean, server_default=sa.false(), nullable=False),
        sa.Column("area", sa.String(120)),
        sa.Column("demo", sa.Boolean, server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_location"),
    )
    _index("location", "latitude", "longitude")
    _sparse_index("location", "organization_id")
    op.create_table(
        "service",
        _id(),
        sa.Column(
            "organization_id",
            sa.String(ID),
            sa.ForeignKey(
                "organization.id",
                ondelete="SET NULL",
                name="fk_service_organization_id_organization",
            ),
        ),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("alternate_name", sa.String(255)),
        sa.Column("description", sa.Text),
        sa.Column("url", sa.String(500)),
        sa.Column("email", sa.String(255)),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("interpretation_services", sa.Text),
        sa.Column("application_process", sa.Text),
        sa.Column("fees_description", sa.Text),
        sa.Column("eligibility_description", sa.Text),
        sa.Column("minimum_age", sa.Integer),
        sa.Column("maximum_age", sa.Integer),
        sa.Column("assured_date", sa.Date),
        sa.Column("assurer_email", sa.String(255)),
        sa.Column("alert", sa.Text),
        sa.Column("last_modified", UtcDateTime()),
        sa.Column("eligibility_description_en", sa.Text),
        sa.Column("alert_en", sa.Text),
        sa.Column("free", sa.Boolean),
        sa.Column("walk_in", sa.Boolean),
        sa.Column("no_id_needed", sa.Boolean),
        sa.Column("anonymous", sa.Boolean),
        sa.Column("pets_allowed", sa.Boolean),
        sa.Column("capacity_level", sa.String(16)),
        sa.Column("capacity_updated_at", UtcDateTime()),
        sa.Column("always_open", sa.Boolean, server_default=sa.false(), nullable=False),
        sa.Column("holidays", sa.String(8), server_default="unknown", nullable=False),
        sa.Column("opening_hours", sa.Text),
        sa.Column("source", sa.String(120)),
        sa.Column("source_ref", sa.String(255)),
        sa.Column("imported_at", UtcDateTime()),
        sa.Column("demo", sa.Boolean, server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_service"),
    )
    _sparse_index("service", "organization_id")
    _index("service", "status")
    op.create_table(
        "service_theme",
        sa.Column(
            "service_id",
            sa.String(ID),
            sa.ForeignKey(
                "service.id", ondelete="CASCADE", name="fk_service_theme_service_id_service"
            ),
            nullable=False,
        ),
        sa.Column("theme", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("service_id", "theme", name="pk_service_theme"),
    )
    _index("service_theme", "theme", "service_id")
    op.create_table(
        "service_population",
        sa.Column(
            "service_id",
            sa.String(ID),
            sa.ForeignKey(
                "service.id", ondelete="CASCADE", name="fk_service_population_service_id_service"
            ),
            nullable=False,
        ),
        sa.Column("population", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("service_id", "population", name="pk_service_population"),
    )
    op.create_table(
        "service_at_location",
        _id(),
        sa.Column(
            "service_id",
            sa.String(ID),
            sa.ForeignKey(
                "service.id", ondelete="CASCADE", name="fk_service_at_location_service_id_service"
            ),
            nullable=False,
        ),
        sa.Column(
            "location_id",
            sa.String(ID),
            sa.ForeignKey(
                "location.id",
                ondelete="CASCADE",
                name="fk_service_at_location_location_id_location",
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_service_at_location"),
    )
    _index("service_at_location", "location_id")
    _index("service_at_location", "service_id")
    op.create_table(
        "address",
        _id(),
        sa.Column(
            "location_id",
            sa.String(ID),
            sa.ForeignKey(
                "location.id", ondelete="CASCADE", name="fk_address_location_id_location"
            ),
        ),
        sa.Column("attention", sa.String(255)),
        sa.Column("address_1", sa.String(255), nullable=False),
        sa.Column("address_2", sa.String(255)),
        sa.Column("city", sa.String(120), nullable=False),
        sa.Column("region", sa.String(120)),
        sa.Column("state_province", sa.String(120), nullable=False),
        sa.Column("postal_code", sa.String(32), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("address_type", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_address"),
    )
    _sparse_index("address", "location_id")
    op.create_table(
        "phone",
        _id(),
        sa.Column(
            "location_id",
            sa.String(ID),
            sa.ForeignKey("location.id", ondelete="CASCADE", name="fk_phone_location_id_location"),
        ),
        sa.Column(
            "service_id",
            sa.String(ID),
            sa.ForeignKey("service.id", ondelete="CASCADE", name="fk_phone_service_id_service"),
        ),
        sa.Column(
            "organization_id",
            sa.String(ID),
            sa.ForeignKey(
                "organization.id",
                ondelete="CASCADE",
                name="fk_phone_organization_id_organization",
            ),
        ),
        sa.Column(
            "service_at_location_id",
            sa.String(ID),
            sa.ForeignKey(
                "service_at_location.id",
                ondelete="CASCADE",
                name="fk_phone_service_at_location_id_service_at_location",
            ),
        ),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("extension", sa.String(16)),
        sa.Column("type", sa.String(32)),
        sa.Column("description", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_phone"),
    )
    for column in ("location_id", "organization_id", "service_at_location_id", "service_id"):
        _sparse_index("phone", column)
    op.create_table(
        "schedule",
        _id(),
        sa.Column(
            "service_id",
            sa.String(ID),
            sa.ForeignKey("service.id", ondelete="CASCADE", name="fk_schedule_service_id_service"),
        ),
        sa.Column(
            "location_id",
            sa.String(ID),
            sa.ForeignKey(
                "location.id", ondelete="CASCADE", name="fk_schedule_location_id_location"
            ),
        ),
        sa.Column(
            "service_at_location_id",
            sa.String(ID),
            sa.ForeignKey(
                "service_at_location.id",
                ondelete="CASCADE",
                name="fk_schedule_service_at_location_id_service_at_location",
            ),
        ),
        sa.Column("valid_from", sa.Date),
        sa.Column("valid_to", sa.Date),
        sa.Column("dtstart", sa.Date),
        sa.Column("timezone", sa.Float),
        sa.Column("until", sa.Date),
        sa.Column("freq", sa.String(16)),
        sa.Column("interval", sa.Integer),
        sa.Column("byday", sa.String(64)),
        sa.Column("bymonthday", sa.String(64)),
        sa.Column("opens_at", sa.Time),
        sa.Column("closes_at", sa.Time),
        sa.Column("description", sa.Text),
        sa.Column("notes", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_schedule"),
    )
    for column in ("location_id", "service_at_location_id", "service_id"):
        _sparse_index("schedule", column)
    op.create_table(
        "closure",
        _id(),
        sa.Column(
            "service_id",
            sa.String(ID),
            sa.ForeignKey("service.id", ondelete="CASCADE", name="fk_closure_service_id_service"),
        ),
        sa.Column(
            "location_id",
            sa.String(ID),
            sa.ForeignKey(
                "location.id", ondelete="CASCADE", name="fk_closure_location_id_location"
            ),
        ),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("reason", sa.Text),
        sa.Column("reason_en", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_closure"),
    )
    _sparse_index("closure", "location_id")
    _sparse_index("closure", "service_id")
    op.create_table(
        "language",
        _id(),
        sa.Column(
            "service_id",
            sa.String(ID),
            sa.ForeignKey("service.id", ondelete="CASCADE", name="fk_language_service_id_service"),
        ),
        sa.Column(
            "location_id",
            sa.String(ID),
            sa.ForeignKey(
                "location.id", ondelete="CASCADE", name="fk_language_location_id_location"
            ),
        ),
        sa.Column(
            "phone_id",
            sa.String(ID),
            sa.ForeignKey("phone.id", ondelete="CASCADE", name="fk_language_phone_id_phone"),
        ),
        sa.Column("name", sa.String(120)),
        sa.Column("code", sa.String(16)),
        sa.Column("note", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_language"),
    )
    for column in ("location_id", "phone_id", "service_id"):
        _sparse_index("language", column)
    op.create_table(
        "required_document",
        _id(),
        sa.Column(
            "service_id",
            sa.String(ID),
            sa.ForeignKey(
                "service.id", ondelete="CASCADE", name="fk_required_document_service_id_service"
            ),
        ),
        sa.Column("document", sa.Text),
        sa.Column("document_en", sa.Text),
        sa.Column("uri", sa.String(500)),
        sa.PrimaryKeyConstraint("id", name="pk_required_document"),
    )
    _sparse_index("required_document", "service_id")
    op.create_table(
        "taxonomy",
        _id(),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("uri", sa.String(500)),
        sa.Column("version", sa.String(64)),
        sa.PrimaryKeyConstraint("id", name="pk_taxonomy"),
    )
    op.create_table(
        "taxonomy_term",
        _id(),
        sa.Column("code", sa.String(120)),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("parent_id", sa.String(ID)),
        sa.Column("taxonomy", sa.String(255)),
        sa.Column("language", sa.String(16)),
        sa.Column(
            "taxonomy_id",
            sa.String(ID),
            sa.ForeignKey(
                "taxonomy.id", ondelete="SET NULL", name="fk_taxonomy_term_taxonomy_id_taxonomy"
            ),
        ),
        sa.Column("term_uri", sa.String(500)),
        sa.PrimaryKeyConstraint("id", name="pk_taxonomy_term"),
    )
    _sparse_index("taxonomy_term", "taxonomy_id")
    op.create_table(
        "attribute",
        _id(),
        sa.Column("link_id", sa.String(ID), nullable=False),
        sa.Column(
            "taxonomy_term_id",
            sa.String(ID),
            sa.ForeignKey(
                "taxonomy_term.id",
                ondelete="CASCADE",
                name="fk_attribute_taxonomy_term_id_taxonomy_term",
            ),
            nullable=False,
        ),
        sa.Column("link_type", sa.String(120)),
        sa.Column("link_entity", sa.String(120), nullable=False),
        sa.Column("value", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_attribute"),
    )
    _index("attribute", "link_id")
    _index("attribute", "taxonomy_term_id")
    op.create_table(
        "gazetteer",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("jurisdiction", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("demo", sa.Boolean, server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gazetteer"),
        sa.UniqueConstraint("jurisdiction", "kind", "name", name="uq_gazetteer_jurisdiction"),
    )
    op.create_table(
        "gazetteer_name",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column(
            "gazetteer_id",
            sa.Integer,
            sa.ForeignKey(
                "gazetteer.id", ondelete="CASCADE", name="fk_gazetteer_name_gazetteer_id_gazetteer"
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gazetteer_name"),
        sa.UniqueConstraint("gazetteer_id", "key", name="uq_gazetteer_name_gazetteer_id"),
    )
    _index("gazetteer_name", "gazetteer_id")
    _index("gazetteer_name", "key")
    op.create_table(
        "search_point",
        sa.Column(
            "service_at_location_id",
            sa.String(ID),
            sa.ForeignKey(
                "service_at_location.id",
                ondelete="CASCADE",
                name="fk_search_point_service_at_location_id_service_at_location",
            ),
            nullable=False,
        ),
        sa.Column("theme", sa.String(32), nullable=False),
        sa.Column(
            "service_id",
            sa.String(ID),
            sa.ForeignKey(
                "service.id", ondelete="CASCADE", name="fk_search_point_service_id_service"
            ),
            nullable=False,
        ),
        sa.Column(
            "location_id",
            sa.String(ID),
            sa.ForeignKey(
                "location.id", ondelete="CASCADE", name="fk_search_point_location_id_location"
            ),
            nullable=False,
        ),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("free", sa.Boolean),
        sa.Column("walk_in", sa.Boolean),
        sa.Column("minimum_age", sa.Integer),
        sa.Column("maximum_age", sa.Integer),
        sa.Column("hours", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("service_at_location_id", "theme", name="pk_search_point"),
    )
    op.create_index(
        "ix_search_point_theme_latitude_longitude",
        "search_point",
        [
            "theme",
            "latitude",
            "longitude",
            "service_at_location_id",
            "service_id",
            "location_id",
        ],
    )
    _index("search_point", "service_id")
    _index("search_point", "location_id")


def downgrade() -> None:
    for table in (
        "search_point",
        "gazetteer_name",
        "gazetteer",
        "attribute",
        "taxonomy_term",
        "taxonomy",
        "required_document",
        "language",
        "closure",
        "schedule",
        "phone",
        "address",
        "service_at_location",
        "service_population",
        "service_theme",
        "service",
        "location",
        "organization",
    ):
        op.drop_table(table)
