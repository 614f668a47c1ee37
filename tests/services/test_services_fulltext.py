"""Full texts in the store: a PDF attached is checked (size, content, whole), kept once by
its hash in the database and read back byte for byte; a report not retrieved needs a
reason; studies gather reports, one study each, with moves said as such."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from sqlalchemy import func, select

from evidens.core import Decision, ScreeningDecision, Stage
from evidens.errors import InputError, NotFoundError, ReviewStateError, ValidationError
from evidens.services.reporting import prisma
from evidens.services.screening import decisions as screening
from evidens.services.screening import fulltext, studies
from evidens.services.store import ReviewStore, transaction
from evidens.store.document_models import DocumentRow

TA = Stage.TITLE_ABSTRACT


def a_pdf(text: str = "Full text") -> bytes:
    """A real PDF, as a plotting library writes one."""
    figure = plt.figure(figsize=(2, 1))
    figure.text(0.1, 0.5, text)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="pdf")
    plt.close(figure)
    return buffer.getvalue()


def _included(review: ReviewStore, decision: Decision = Decision.INCLUDE) -> int:
    record = screening.queue_for(review, "alice", TA)[0]
    for who in ("alice", "bruno"):
        screening.record_decision(review, ScreeningDecision(record, TA, who, decision))
    return record


def test_a_pdf_is_kept_once_by_its_hash_and_read_back_whole(review: ReviewStore) -> None:
    record = _included(review)
    data = a_pdf()
    digest = fulltext.attach_pdf(review, record, data, name="../../etc/Rivera 2020.pdf", actor="a")
    fulltext.attach_pdf(review, record, data, name="again.pdf", actor="a")
    found = fulltext.full_text(review, record, actor="a")
    assert found.content == data
    assert found.name == "again.pdf"  # the latest name; never a path
    with transaction(review, "test") as uow:
        pdfs = select(DocumentRow).where(DocumentRow.media_type == fulltext.PDF)
        kept = uow.session.scalar(select(func.count()).select_from(pdfs.subquery()))
        stored = uow.session.scalar(pdfs.with_only_columns(DocumentRow.sha256))
    assert kept == 1
    assert stored == digest
    (row,) = fulltext.retrievals(review)
    assert (row.record_id, row.retrieved, row.has_pdf) == (record, True, True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body>Access denied</body></html>", "not a PDF"),
        (a_pdf()[:-200], "cut off"),
    ],
)
def test_what_is_not_a_whole_pdf_is_refused(review: ReviewStore, data: bytes, message: str) -> None:
    record = _included(review)
    with pytest.raises(ValidationError, match=message):
        fulltext.attach_pdf(review, record, data, name="paper.pdf", actor="a")
    assert fulltext.retrievals(review)[0].retrieved is None  # nothing half-written


def test_an_oversized_file_is_refused_before_it_is_read(
    review: ReviewStore, tmp_path: Path
) -> None:
    record = _included(review)
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:
        handle.truncate(fulltext.MAX_PDF_BYTES + 1)  # sparse: nothing to read was written
    with pytest.raises(InputError, match=r"huge\.pdf.*more than"):
        fulltext.attach_pdf_file(review, record, huge, actor="a")


def test_a_report_not_retrieved_needs_a_reason_and_counts_in_prisma(review: ReviewStore) -> None:
    record = _included(review)
    with pytest.raises(ValidationError, match="say why"):
        fulltext.not_retrieved(review, record, reason=" ", actor="a")
    fulltext.not_retrieved(review, record, reason="Not held by the library", actor="a")
    counts = prisma.prisma_counts(review)
    assert counts.reports_not_retrieved == 1
    assert record not in screening.queue_for(review, "alice", Stage.FULL_TEXT)


def test_only_a_report_sought_gets_a_full_text(review: ReviewStore) -> None:
    excluded = _included(review, Decision.EXCLUDE)
    with pytest.raises(ReviewStateError, match="not included at title/abstract"):
        fulltext.attach_pdf(review, excluded, a_pdf(), name="x.pdf", actor="a")
    with pytest.raises(NotFoundError):
        fulltext.full_text(review, excluded, actor="a")


def test_studies_gather_reports_one_study_each(review: ReviewStore) -> None:
    first = _included(review)
    studies.create_study(review, "Rivera 2020", design="RCT", actor="a")
    studies.create_study(review, "Osei 2019", design="cohort", actor="a")
    studies.link_report(review, "Rivera 2020", first, actor="a")
    with pytest.raises(ReviewStateError, match="already"):
        studies.link_report(review, "Osei 2019", first, actor="a")
    assert studies.move_report(review, first, "Osei 2019", actor="a") == "Rivera 2020"
    listed = {s.label: [r for r, _ in s.reports] for s in studies.list_studies(review)}
    assert listed == {"Osei 2019": [first], "Rivera 2020": []}
    assert studies.unlink_report(review, first, actor="a") == "Osei 2019"
    excluded = _included(review, Decision.EXCLUDE)
    with pytest.raises(ReviewStateError, match="excluded"):
        studies.link_report(review, "Osei 2019", excluded, actor="a")
    with pytest.raises(NotFoundError, match="no study"):
        studies.link_report(review, "Nobody 1999", first, actor="a")
