"""credit-registry: a Herald outlet that keeps 双公示 decisions in SQLite."""
