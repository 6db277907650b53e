"""The HSDS 3.0 Tabular Data Package descriptor (``datapackage.json``).

A verbatim copy of ``datapackage.json`` from the Open Referral specification repository
(branch 3.0, commit 279fd2e), licensed Creative Commons Attribution-ShareAlike 4.0 by the
Open Referral project. Imports are validated against it, never against the descriptor that
comes with the files, and exports are built from it.
"""
