"""The project stage: what the target project is (DESIGN.md §1)."""
