"""The embedded demo organisation: two years of believable tickets, surveys and customers with
planted storylines. `smartstep.demo.STORYLINES` is the list a good advisor should find."""

from smartstep.demo.build import (
    STORYLINES,
    DemoData,
    DemoSummary,
    Storyline,
    build_demo,
    generate_demo,
    import_demo,
    store_kind,
)

__all__ = [
    "STORYLINES",
    "DemoData",
    "DemoSummary",
    "Storyline",
    "build_demo",
    "generate_demo",
    "import_demo",
    "store_kind",
]
