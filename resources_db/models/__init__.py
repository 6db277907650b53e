"""All tables, imported here so that Alembic and ``Base.metadata`` see every one of them."""

from resources_db.models import core, handoff, insights, resources, transcript, transport
from resources_db.models.base import Base

__all__ = ["Base", "core", "handoff", "insights", "resources", "transcript", "transport"]
