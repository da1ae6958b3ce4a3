"""The repository seam: where the list lives, behind one small interface.

A run is gather -> plan -> publish in both modes. `Repository.gather` reads
everything the plan needs into a `Snapshot` (plain values); the plan is pure;
`Repository.publish` writes the planned `Change`. `local` keeps the list in files
on disk; `github` (the only importer of PyGithub) keeps it in a GitHub repository
and proposes changes by pull request. Another forge is one more adapter module.
"""
