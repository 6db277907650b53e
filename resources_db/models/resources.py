"""The HSDS-aligned resource directory (filled by the resource-directory work)."""
