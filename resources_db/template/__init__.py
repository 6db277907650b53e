"""The one-sheet CSV template for small teams: ``passerelle-resources.csv`` and its schema."""
