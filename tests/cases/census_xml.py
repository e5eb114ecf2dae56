"""Census files written by tests: a header as the DfE's, around the test's own children."""


def header_xml(*, reference_date: str = "2025-03-31", lea: str = "201", collection="CIN") -> str:
    year = reference_date[:4]
    return (
        "<Header><CollectionDetails>"
        f"<Collection>{collection}</Collection><Year>{year}</Year>"
        f"<ReferenceDate>{reference_date}</ReferenceDate>"
        f"</CollectionDetails><Source><SourceLevel>L</SourceLevel><LEA>{lea}</LEA></Source>"
        "</Header>"
    )


def census_xml(children: str, **header) -> str:
    """A whole census file holding `children` (Child elements, as XML)."""
    return f"<Message>{header_xml(**header)}<Children>{children}</Children></Message>"
