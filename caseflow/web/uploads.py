"""Files going in and out of the pages: an uploaded file read within its bound (the request body limited before it
is read, then the CSRF token checked), and an XLSX workbook sent as a download."""

from dataclasses import dataclass
from io import BytesIO

from flask import Response, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from caseflow.domain.table_files import FILE_TOO_LARGE
from caseflow.extensions import csrf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORM_SLACK = 64 * 1024  # the multipart envelope, other fields and the CSRF token around the uploaded file


@dataclass
class UploadRefused(Exception):
    message: str
    status: int


def uploaded_file(limit: int, field: str = "file") -> tuple[str, bytes]:
    """(file name, content) of the form's uploaded file, at most `limit` bytes (one more is read, so that the reader
    can tell a file that is too large); an oversized body or a missing file raises UploadRefused."""
    request.max_content_length = limit + FORM_SLACK  # bounded before the body is read
    # parsed into memory, never spooled to a temporary file: no plaintext ledger or staff list on disk
    request._get_file_stream = lambda *args, **kwargs: BytesIO()
    try:
        csrf.protect()
        upload = request.files.get(field)
    except RequestEntityTooLarge:
        raise UploadRefused(_(FILE_TOO_LARGE, limit=limit // 1024), 413) from None
    if upload is None or not upload.filename:
        raise UploadRefused(_("Choose a CSV or XLSX file."), 400)
    return upload.filename, upload.read(limit + 1)


def xlsx_download(rows, *, sheet: str, file_name: str) -> Response:
    """A one-sheet workbook of `rows` (the first is the header) as an attachment."""
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return Response(buffer.getvalue(), mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename={file_name}"})
