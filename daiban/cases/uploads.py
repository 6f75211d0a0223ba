"""Uploaded materials: checked by their content (not their name), limited in size, stored under new names."""

import uuid
from pathlib import PurePath

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from daiban.common.files import remove_on_rollback
from daiban.organizations.models import User

from .models import CaseItem, RequestDocument, ServiceRequest, Visit

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


def sniff(upload: UploadedFile) -> str:
    """The file's real type from its first bytes, refusing what is too big or not a document or photo."""
    name = upload.name or ""
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("%(name)s is larger than 20 MB.") % {"name": name})
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else ""
    if mime not in ALLOWED_TYPES:
        raise ValidationError(
            _("%(name)s is not a PDF, JPEG, PNG, Word or Excel file (checked by its content, not its name).")
            % {"name": name}
        )
    return mime


def stored_name(mime: str) -> str:
    return f"{uuid.uuid4().hex}.{ALLOWED_TYPES[mime]}"


def display_name(upload: UploadedFile) -> str:
    return PurePath(upload.name or "file").name[:255]


def store_document(
    *,
    request: ServiceRequest,
    upload: UploadedFile,
    mime: str,
    by: User,
    kind: str = RequestDocument.Kind.MATERIAL,
    case_item: CaseItem | None = None,
    visit: Visit | None = None,
) -> RequestDocument:
    """Save an already sniffed upload under a generated name and record what it was. The file is removed
    again if the caller's transaction rolls back (daiban.common.files)."""
    document = RequestDocument(
        request=request,
        kind=kind,
        case_item=case_item,
        visit=visit,
        original_name=display_name(upload),
        content_type=mime,
        size=upload.size or 0,
        uploaded_by=by,
    )
    document.file.save(stored_name(mime), upload, save=False)
    remove_on_rollback(document.file.storage, document.file.name)
    document.save()
    return document
